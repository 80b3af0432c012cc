package network

import (
	"maps"
	"net/netip"
	"slices"
	"testing"

	"github.com/huella-project/huella/internal/rules"
)

// TestConnection pins what every finding about one connection carries: the
// address (an IPv4-mapped one shown as IPv4), port and protocol, and the
// warning list that knows the address or the name, with known_network.
func TestConnection(t *testing.T) {
	for _, tt := range []struct {
		name    string
		ip      string
		port    uint16
		proto   string
		host    string
		want    rules.Params
		ctx     []string
		wantAny bool // the list's name is the warning list's; only its presence is checked
	}{
		{"unknown address", "203.0.113.10", 4444, "tcp", "", rules.Params{"ip": "203.0.113.10", "port": "4444", "proto": "TCP"}, nil, false},
		{"mapped address", "::ffff:203.0.113.10", 53, "udp", "", rules.Params{"ip": "203.0.113.10", "port": "53", "proto": "UDP"}, nil, false},
		{"public resolver", "8.8.8.8", 443, "tcp", "", rules.Params{"ip": "8.8.8.8", "port": "443", "proto": "TCP"}, []string{CtxKnownNetwork}, true},
		{"known name", "203.0.113.10", 443, "tcp", "www.google.com", rules.Params{"ip": "203.0.113.10", "port": "443", "proto": "TCP"}, []string{CtxKnownNetwork}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, ctx := connection(netip.MustParseAddr(tt.ip), tt.port, tt.proto, tt.host)
			list, hasList := p["list"]
			delete(p, "list")
			if !maps.Equal(p, tt.want) || !slices.Equal(ctx, tt.ctx) || hasList != tt.wantAny || hasList && list == "" {
				t.Errorf("connection = %v (list %q), %v; want %v, %v, a list: %v", p, list, ctx, tt.want, tt.ctx, tt.wantAny)
			}
		})
	}
}
