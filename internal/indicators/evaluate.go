package indicators

import (
	"fmt"
	"strings"
)

// Canonical STIX path types. Hash and certificate keys are folded to one
// spelling (file:hashes.'SHA-256', SHA-256, SHA256 and sha256 are the same
// key), and that spelling is what IndicatorRef.Type and Counts report.
const (
	TypeDomain          = "domain-name:value"
	TypeURL             = "url:value"
	TypeIPv4            = "ipv4-addr:value"
	TypeIPv6            = "ipv6-addr:value"
	TypeEmail           = "email-addr:value"
	TypeProcess         = "process:name"
	TypeFileName        = "file:name"
	TypeFilePath        = "file:path"
	TypeMD5             = "file:hashes.md5"
	TypeSHA1            = "file:hashes.sha1"
	TypeSHA256          = "file:hashes.sha256"
	TypeAppID           = "app:id"
	TypeCertMD5         = "app:cert.md5"
	TypeCertSHA1        = "app:cert.sha1"
	TypeCertSHA256      = "app:cert.sha256"
	TypeProfileID       = "configuration-profile:id"
	TypeAndroidProperty = "android-property:name"
	// A server's TLS certificate (STIX x509-certificate): matched against
	// the certificates seen in network evidence, in the same
	// case-insensitive set as app signing certificates (a hash names one
	// certificate, whatever signed with it).
	TypeX509MD5    = "x509-certificate:hashes.md5"
	TypeX509SHA1   = "x509-certificate:hashes.sha1"
	TypeX509SHA256 = "x509-certificate:hashes.sha256"
	// A TLS client's JA3 fingerprint. STIX has no object for it; MISP's
	// ja3-fingerprint-md5 attributes load as this type.
	TypeJA3 = "ja3:md5"
)

var simplePaths = map[string]string{
	"domain-name:value":        TypeDomain,
	"url:value":                TypeURL,
	"ipv4-addr:value":          TypeIPv4,
	"ipv6-addr:value":          TypeIPv6,
	"email-addr:value":         TypeEmail,
	"process:name":             TypeProcess,
	"file:name":                TypeFileName,
	"file:path":                TypeFilePath,
	"app:id":                   TypeAppID,
	"configuration-profile:id": TypeProfileID,
	"android-property:name":    TypeAndroidProperty,
}

// canonicalType maps an object path to its canonical type, or "" when huella
// cannot match it.
func canonicalType(p Path) string {
	obj := strings.ToLower(p.Object)
	if len(p.Props) == 1 {
		return simplePaths[obj+":"+strings.ToLower(p.Props[0])]
	}
	if len(p.Props) != 2 {
		return ""
	}
	group := strings.ToLower(p.Props[0])
	algo := strings.ToLower(strings.NewReplacer("'", "", "-", "", "_", "").Replace(p.Props[1]))
	switch algo {
	case "md5", "sha1", "sha256":
	default:
		return ""
	}
	switch {
	case obj == "file" && group == "hashes":
		return "file:hashes." + algo
	case obj == "app" && group == "cert":
		return "app:cert." + algo
	case obj == "x509-certificate" && group == "hashes":
		return "x509-certificate:hashes." + algo
	}
	return ""
}

// alternative is one (type, value) that, if observed, matches the pattern.
type alternative struct {
	Type, Value string
}

// evaluate reduces a pattern to the equality alternatives it is the OR of.
// skipped names the parts that could not be evaluated; when alts is empty
// the pattern is unsupported as a whole.
func evaluate(n *Node) (alts []alternative, skipped []string) {
	switch n.Op {
	case "obs":
		if len(n.Qualifiers) > 0 {
			return nil, []string{"qualifier " + strings.Join(n.Qualifiers, " ")}
		}
		return evaluate(n.Kids[0])
	case "OR", "cOR":
		for _, k := range n.Kids {
			a, s := evaluate(k)
			alts = append(alts, a...)
			skipped = append(skipped, s...)
		}
		return alts, skipped
	case "AND", "cAND":
		return nil, []string{"AND (only equality and OR are evaluated)"}
	case "FOLLOWEDBY":
		return nil, []string{"FOLLOWEDBY (only equality and OR are evaluated)"}
	case "cmp":
		return evaluateComparison(n.Comparison)
	}
	return nil, []string{"unknown node " + n.Op}
}

func evaluateComparison(c *Comparison) ([]alternative, []string) {
	if c.Negate {
		return nil, []string{"NOT " + c.Op}
	}
	if c.Op != "=" && c.Op != "IN" {
		return nil, []string{"operator " + c.Op}
	}
	typ := canonicalType(c.Path)
	if typ == "" {
		return nil, []string{"unknown object path " + c.Path.String()}
	}
	var alts []alternative
	for i, v := range c.Values {
		if c.Kinds[i] != "string" {
			return nil, []string{fmt.Sprintf("%s value for %s", c.Kinds[i], c.Path)}
		}
		if strings.TrimSpace(v) == "" {
			return nil, []string{"empty value for " + c.Path.String()}
		}
		alts = append(alts, alternative{Type: typ, Value: v})
	}
	return alts, nil
}
