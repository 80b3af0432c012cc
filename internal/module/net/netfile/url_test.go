package netfile

import "testing"

func TestRequestURL(t *testing.T) {
	tests := []struct {
		host   string
		port   uint16
		target string
		want   string
	}{
		{"a.example", 80, "/x?y=1", "http://a.example/x?y=1"},
		{"a.example", 0, "/x", "http://a.example/x"},              // port unknown
		{"a.example", 8080, "/x", "http://a.example:8080/x"},      // the server's port
		{"a.example:8081", 8080, "/x", "http://a.example:8081/x"}, // the header's port wins
		{"", 80, "/x", ""},                         // no host
		{"a.example", 80, "*", ""},                 // OPTIONS *
		{"a.example", 80, "http://b.example/", ""}, // absolute form: the target is the link
	}
	for _, tt := range tests {
		if got := RequestURL(tt.host, tt.port, tt.target); got != tt.want {
			t.Errorf("RequestURL(%q, %d, %q) = %q, want %q", tt.host, tt.port, tt.target, got, tt.want)
		}
	}
}
