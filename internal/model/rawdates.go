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

// AddOnce is Add for a date seen in many entries summed into one item (a
// process across log records): each impossible value is kept once, so one
// bad time repeated does not fill the item's raw times.
func (d *RawDates) AddOnce(desc string, err error) {
	if err == nil {
		return
	}
	rt := NewRawTime(desc, err)
	for _, x := range *d {
		if x.Desc == rt.Desc && x.Raw == rt.Raw {
			return
		}
	}
	if len(*d) < maxRawTimes {
		*d = append(*d, rt)
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
