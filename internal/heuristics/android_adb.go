package heuristics

import (
	"fmt"
	"strings"
	"time"

	"github.com/huella-project/huella/internal/model"
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
func TrustedADBKeyInContext(key, user, fingerprint string, valid bool, last time.Time, acq ADBAcquisition) *model.Detection {
	if !valid {
		return &model.Detection{Rule: RuleAndroidADBKey, Severity: model.Low,
			Reason: fmt.Sprintf("The phone holds an invalid trusted ADB host key (%q); a tampered key list is worth a look", user)}
	}
	host := ADBKeyBase64(acq.HostKey)
	if host == "" {
		return nil
	}
	if ADBKeyBase64(key) != host {
		return &model.Detection{Rule: RuleAndroidADBKey, Severity: model.Low,
			Reason: fmt.Sprintf("The phone trusts a USB-debugging computer %q (fingerprint %s) different from the AndroidQF acquisition host; check that it is a computer you know", user, fingerprint)}
	}
	if !last.IsZero() && !acq.Started.IsZero() && acq.Started.Sub(last) >= 24*time.Hour {
		return &model.Detection{Rule: RuleAndroidADBKey, Severity: model.Informational,
			Reason: fmt.Sprintf("The AndroidQF acquisition host's key was last connected %s, at least one day before the acquisition (%s): the phone trusted this computer before", last.UTC().Format(time.RFC3339), acq.Started.UTC().Format(time.RFC3339))}
	}
	return nil
}

// ADBHostKeyMissing reports an acquisition that did not record its host
// key, so trusted keys cannot be told apart from it.
func ADBHostKeyMissing(keys int) *model.Detection {
	return &model.Detection{Rule: RuleAndroidADBKey, Severity: model.Low,
		Reason: fmt.Sprintf("The AndroidQF acquisition does not include its host key, so the %d computer(s) the phone trusts for USB debugging cannot be told apart from the one that made it", keys)}
}
