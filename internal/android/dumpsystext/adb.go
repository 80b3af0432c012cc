package dumpsystext

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/timestamp"
)

// ADBKey is one computer's public key the phone trusts for USB debugging.
type ADBKey struct {
	Key           string    `json:"key"`                   // base64 of Android's RSA public key format
	User          string    `json:"user,omitempty"`        // "user@host" comment
	Fingerprint   string    `json:"fingerprint,omitempty"` // MD5 of the decoded key, colon-separated upper-case hex (what Android shows)
	SHA256        string    `json:"sha256,omitempty"`      // hex SHA-256 of the decoded key
	Valid         bool      `json:"valid"`                 // the key is valid base64
	LastConnected time.Time `json:"last_connected,omitzero"`
	// LastConnectedRaw keeps a lastConnection that is no date between 1970
	// and 2100 (milliseconds, as stored); LastConnected is then zero.
	LastConnectedRaw string `json:"last_connected_raw,omitempty"`
	Source           string `json:"source"` // user_keys, keystore or adb_keys
}

// LastConnection is LastConnected, or the error that keeps a stored value
// outside the plausible range (for model.Record.StampChecked).
func (k ADBKey) LastConnection() (time.Time, error) {
	if k.LastConnectedRaw != "" {
		return time.Time{}, &timestamp.RangeError{Raw: k.LastConnectedRaw, Scale: "Unix milliseconds"}
	}
	return k.LastConnected, nil
}

// maxKeys bounds how many keys one input may yield.
const maxKeys = 4096

// NewADBKey builds a key from an `adb_keys` line: `<base64> [user@host]`.
func NewADBKey(line, source string) (ADBKey, bool) {
	f := strings.Fields(line)
	if len(f) == 0 {
		return ADBKey{}, false
	}
	k := ADBKey{Key: f[0], Source: source}
	if len(f) > 1 {
		k.User = strings.Join(f[1:], " ")
	}
	raw, err := base64.StdEncoding.DecodeString(k.Key)
	if err != nil || len(raw) == 0 {
		return k, true
	}
	k.Valid = true
	sum := md5.Sum(raw)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = strings.ToUpper(hex.EncodeToString([]byte{b}))
	}
	k.Fingerprint = strings.Join(parts, ":")
	s := sha256.Sum256(raw)
	k.SHA256 = hex.EncodeToString(s[:])
	return k, true
}

// ParseADBKeysFile reads /data/misc/adb/adb_keys: one key per line.
func ParseADBKeysFile(data []byte) []ADBKey {
	var out []ADBKey
	for _, ln := range strings.Split(string(data), "\n") {
		ln = strings.TrimSpace(ln)
		if ln == "" || strings.HasPrefix(ln, "#") {
			continue
		}
		if k, ok := NewADBKey(ln, "adb_keys"); ok {
			out = append(out, k)
		}
		if len(out) >= maxKeys {
			break
		}
	}
	return out
}

var (
	paddedKeyRe = regexp.MustCompile(`^[A-Za-z0-9+/]+={1,2}(\s|$)`)
	xmlAdbKeyRe = regexp.MustCompile(`<adbKey\s+key="([^"]*)"(?:\s+lastConnection="(\d+)")?`)
	// Binary (ABX) keystores cannot be read as text; their key strings are
	// still plain, so a key is found by its shape: Android's RSA public key
	// encoding starts "QAAAA" in base64, followed by " user@host".
	abxKeyRe = regexp.MustCompile(`QAAAA[A-Za-z0-9+/]{100,}={0,2} [\x21-\x7e]+@[A-Za-z0-9._-]+`)
)

// ParseADB reads the adb section: the `user_keys=` list (keys on the same
// and following lines, up to a blank or `key=` line) and the `keystore=`,
// either XML (`<adbKey key=… lastConnection=…>`) or binary XML.
func ParseADB(section []byte) []ADBKey {
	var out []ADBKey
	ls := bytes.Split(section, []byte("\n"))
	for i := 0; i < len(ls) && len(out) < maxKeys; i++ {
		t := strings.TrimSpace(string(ls[i]))
		switch {
		case strings.HasPrefix(t, "user_keys="):
			first := strings.TrimPrefix(t, "user_keys=")
			for j := i; j < len(ls) && len(out) < maxKeys; j++ {
				ln := first
				if j > i {
					ln = strings.TrimSpace(string(ls[j]))
					if ln == "" || isStructural(ln) {
						break
					}
				}
				if ln == "" {
					continue
				}
				if k, ok := NewADBKey(ln, "user_keys"); ok {
					out = append(out, k)
				}
				i = j
			}
		case strings.HasPrefix(t, "keystore="):
			var ks bytes.Buffer
			ks.Write(bytes.TrimSpace(bytes.TrimPrefix(bytes.TrimSpace(ls[i]), []byte("keystore="))))
			for j := i + 1; j < len(ls); j++ {
				ln := bytes.TrimSpace(ls[j])
				if len(ln) == 0 || isStructural(string(ln)) {
					break
				}
				ks.WriteByte('\n')
				ks.Write(ln)
				i = j
			}
			out = append(out, parseKeystore(ks.Bytes())...)
		}
	}
	if len(out) > maxKeys {
		out = out[:maxKeys]
	}
	return out
}

// isStructural says whether a line starts a new field of the adb dump
// rather than continuing a multi-line value.
func isStructural(ln string) bool {
	if ln == "}" || ln == "{" {
		return true
	}
	// Base64 padding looks like "name=": "RUZHSA== user@host" is a key.
	if paddedKeyRe.MatchString(ln) {
		return false
	}
	name, _, ok := strings.Cut(ln, "=")
	return ok && name != "" && !strings.ContainsAny(name, " <>/+") && !strings.HasPrefix(ln, "QAAAA")
}

func parseKeystore(b []byte) []ADBKey {
	var out []ADBKey
	if ms := xmlAdbKeyRe.FindAllSubmatch(b, maxKeys); len(ms) > 0 {
		for _, m := range ms {
			k, ok := NewADBKey(xmlUnescape(string(m[1])), "keystore")
			if !ok {
				continue
			}
			if ms, err := strconv.ParseInt(string(m[2]), 10, 64); err == nil && ms != 0 {
				var terr error
				if k.LastConnected, terr = timestamp.UnixMillis(ms); terr != nil {
					k.LastConnectedRaw = string(m[2])
				}
			}
			out = append(out, k)
		}
		return out
	}
	for _, m := range abxKeyRe.FindAll(b, maxKeys) {
		if k, ok := NewADBKey(string(m), "keystore"); ok {
			out = append(out, k)
		}
	}
	return out
}

func xmlUnescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&quot;", `"`, "&apos;", "'").Replace(s)
}
