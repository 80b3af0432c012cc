package model

// RawDates collects the dates of one parsed item (a message, an event...)
// that could not be placed in time, while the item is read, for its record to
// keep with KeepRaw. It serves the dates an item carries in its data but not
// on the timeline (a delivery date, an expiry) as well as stamped ones: the
// record keeps every impossible value as stored, whichever field held it.
type RawDates []RawTime

// Add keeps the conversion error of the date desc; a nil error (a date in
// range, or none) adds nothing.
func (d *RawDates) Add(desc string, err error) {
	if err != nil && len(*d) < maxRawTimes {
		*d = append(*d, NewRawTime(desc, err))
	}
}

// KeepRaw adds the raw dates of the record's item to RawTimes (bounded as
// StampChecked is).
func (r *Record) KeepRaw(d RawDates) {
	for _, x := range d {
		if len(r.RawTimes) >= maxRawTimes {
			return
		}
		r.RawTimes = append(r.RawTimes, x)
	}
}
