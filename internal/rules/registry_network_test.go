package rules_test

import (
	"net/netip"
	"testing"

	"github.com/huella-project/huella/internal/heuristics/network"
	"github.com/huella-project/huella/internal/rules"
)

// The net.* rules run their samples through the functions the network
// modules call (through internal/netflow): "fn" names which one.
func init() { runners["net"] = runNetwork }

func runNetwork(t *testing.T, s rules.Sample) []finding {
	ip := func() netip.Addr {
		if str(s, "ip") == "" {
			return netip.Addr{}
		}
		a, err := netip.ParseAddr(str(s, "ip"))
		if err != nil {
			t.Fatalf("sample ip: %v", err)
		}
		return a
	}
	port := uint16(num(s, "port"))
	switch fn := str(s, "fn"); fn {
	case "no_dns":
		return fromPtr(network.NoDNS(network.NoDNSFacts{IP: ip(), Port: port, Proto: str(s, "proto"), Host: str(s, "host"),
			Started: boolean(s, "started"), Early: boolean(s, "early"), EncryptedDNS: boolean(s, "encrypted")}))
	case "port":
		return fromPtr(network.Port(ip(), port, str(s, "proto"), str(s, "name")))
	case "dynamic_dns":
		return fromPtr(network.DynamicDNS(str(s, "name")))
	case "ending":
		return fromPtr(network.SuspiciousEnding(str(s, "name")))
	case "encrypted_dns":
		via, ok := network.EncryptedDNS(str(s, "host"), ip(), port, str(s, "proto"))
		if !ok {
			return nil
		}
		return fromPtr(network.EncryptedResolver(str(s, "host"), ip(), port, via))
	case "suricata":
		return fromPtr(network.SuricataAlert(int64(num(s, "sid")), str(s, "signature"), str(s, "category"), num(s, "priority")))
	default:
		t.Fatalf("unknown net sample fn %q", fn)
	}
	return nil
}
