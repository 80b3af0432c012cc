package ios

import (
	"regexp"
	"testing"
)

// uuidRe is the definition IsUUID replaces on the hot path.
var uuidRe = regexp.MustCompile(`^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$`)

func TestIsUUID(t *testing.T) {
	cases := []struct {
		in   string
		want bool
	}{
		{"0A1B2C3D-4E5F-6789-abcd-ef0123456789", true},
		{"0A1B2C3D-4E5F-6789-abcd-ef012345678", false},
		{"0A1B2C3D-4E5F-6789-abcd-ef01234567890", false},
		{"0A1B2C3D_4E5F-6789-abcd-ef0123456789", false},
		{"0A1B2C3D-4E5F-6789-abcd-ef012345678g", false},
		{"0A1B2C3D-4E5F-6789-abcd-ef0123456789\n", false},
		{"------------------------------------", false},
		{"bh", false},
		{"", false},
	}
	for _, c := range cases {
		if got := IsUUID(c.in); got != c.want || got != uuidRe.MatchString(c.in) {
			t.Errorf("IsUUID(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}

func FuzzIsUUID(f *testing.F) {
	f.Add("0A1B2C3D-4E5F-6789-abcd-ef0123456789")
	f.Add("bh/com.apple.x")
	f.Fuzz(func(t *testing.T, s string) {
		if IsUUID(s) != uuidRe.MatchString(s) {
			t.Fatalf("IsUUID(%q) = %v, regexp says %v", s, IsUUID(s), !IsUUID(s))
		}
	})
}
