package textfold

import "testing"

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		max  int
		want int
	}{
		{"bitly", "bitly", 2, 0},
		{"bitly", "bityl", 2, 1},
		{"bitly", "bbitly", 2, 1},
		{"bitly", "itly", 2, 1},
		{"telegram", "telegraph", 2, 2},
		{"linkedin", "lnkedin", 2, 1},
		{"almasryalyoum", "almasryelyuom", 2, 2},
		{"apple", "google", 1, 2},
		{"a", "abcdef", 2, 3},
	}
	for _, tt := range tests {
		if got := EditDistance(tt.a, tt.b, tt.max); got != tt.want {
			t.Errorf("EditDistance(%q,%q,%d) = %d, want %d", tt.a, tt.b, tt.max, got, tt.want)
		}
	}
}

func TestSkeleton(t *testing.T) {
	same := [][2]string{{"y0utube", "youtube"}, {"раураl", "paypal"}, {"rnicrosoft", "microsoft"}, {"paypa1", "paypal"}, {"twltter", "twitter"}}
	for _, p := range same {
		if Skeleton(p[0]) != Skeleton(p[1]) {
			t.Errorf("Skeleton(%q)=%q differs from Skeleton(%q)=%q", p[0], Skeleton(p[0]), p[1], Skeleton(p[1]))
		}
	}
	if Skeleton("apple") == Skeleton("maple") {
		t.Error("different names must keep different skeletons")
	}
}
