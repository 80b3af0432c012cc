package android

import (
	"strconv"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/rules"
)

// ADBAcquisition is what an androidqf acquisition says about the computer
// that made it: with it, a trusted USB-debugging key can be told apart
// from the acquisition's own.
type ADBAcquisition struct {
	Started time.Time // acquisition start
	HostKey string    // the acquiring computer's public key ("<base64> [user@host]"); "" when not recorded
}

// ADBKeyBase64 is the key part of an adb public-key line.
func ADBKeyBase64(line string) string {
	f := strings.Fields(line)
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

// TrustedADBKeyInContext judges one trusted key against the acquisition
// (MVT's DumpsysADBState under check-androidqf). The acquiring computer's
// own key is expected, unless it was already trusted a day or more before
// the acquisition; any other key is another computer the phone trusts.
// A missing host key is reported once by the caller (ADBHostKeyMissing).
func TrustedADBKeyInContext(key, user, fingerprint string, valid bool, last time.Time, acq ADBAcquisition) *rules.Finding {
	p := rules.Params{"user": rules.Clip(user, 200), "fingerprint": rules.Clip(fingerprint, 120)}
	if !valid {
		return new(rules.AndroidADBInvalidKey.New(p))
	}
	host := ADBKeyBase64(acq.HostKey)
	if host == "" {
		return nil
	}
	if ADBKeyBase64(key) != host {
		return new(rules.AndroidADBOtherComputer.New(p))
	}
	if !last.IsZero() && !acq.Started.IsZero() && acq.Started.Sub(last) >= 24*time.Hour {
		p["last"] = last.UTC().Format(time.RFC3339)
		p["acquired"] = acq.Started.UTC().Format(time.RFC3339)
		return new(rules.AndroidADBHostTrustedBefore.New(p))
	}
	return nil
}

// ADBHostKeyMissing reports an acquisition that did not record its host
// key, so trusted keys cannot be told apart from it.
func ADBHostKeyMissing(keys int) *rules.Finding {
	if keys <= 0 {
		return nil
	}
	return new(rules.AndroidADBHostKeyMissing.New(rules.Params{"keys": strconv.Itoa(keys)}))
}
