package sms

import "howett.net/plist"

func uidIndex(v any) (int, bool) {
	switch u := v.(type) {
	case plist.UID:
		return int(u), true
	case uint64:
		return int(u), true
	}
	return 0, false
}
