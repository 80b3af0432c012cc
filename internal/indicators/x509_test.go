package indicators

import (
	"reflect"
	"testing"

	"github.com/huella-project/huella/internal/model"
)

// A server certificate published as a STIX x509-certificate hash matches
// the certificate hashes network evidence records (Suricata writes SHA-1
// with colons, Zeek hex), whatever the case.
func TestX509CertificateHashes(t *testing.T) {
	b := &bundle{}
	mw := b.malware("M")
	b.indicates(mw, `[x509-certificate:hashes.'SHA-1'='AABBCCDDEEFF00112233445566778899AABBCCDD']`)
	b.indicates(mw, `[x509-certificate:hashes.'SHA-256'='570cd76bf49cf52e0cb347a68bdcf0590b2eaece134e1b1eba7e8d66261bdbe6']`)
	s := loadBundle(t, b)
	tests := []struct {
		kind  model.Kind
		value string
		want  []string
	}{
		{model.KindTLSCertSHA1, "aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd", []string{"x509-certificate:hashes.sha1=AABBCCDDEEFF00112233445566778899AABBCCDD"}},
		{model.KindTLSCertSHA256, "570CD76BF49CF52E0CB347A68BDCF0590B2EAECE134E1B1EBA7E8D66261BDBE6", []string{"x509-certificate:hashes.sha256=570cd76bf49cf52e0cb347a68bdcf0590b2eaece134e1b1eba7e8d66261bdbe6"}},
		{model.KindTLSCertSHA1, "0000000000000000000000000000000000000000", nil},
	}
	for _, tt := range tests {
		if got := values(s.Match(model.Observable{Kind: tt.kind, Value: tt.value})); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s %s: got %v, want %v", tt.kind, tt.value, got, tt.want)
		}
	}
}
