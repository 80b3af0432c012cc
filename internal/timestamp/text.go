package timestamp

import (
	"fmt"
	"time"
)

// ParseText reads a date written as text (logs, JSON, property lists) in
// the first of layouts that fits, as time.Parse reads it (a layout without
// a zone gives UTC; an offset in the text is kept). It is the one checked
// way evidence text becomes a date, so that every parser treats a bad one
// the same way:
//   - empty text is no date: the zero time and no error;
//   - text that parses to a date outside Earliest–Latest is the zero time
//     and a *RangeError whose Raw is the text exactly as given;
//   - text no layout fits is the zero time and a *TextError holding it.
//
// Either error keeps the text for model.Record.StampChecked, so a date that
// cannot be placed (year 2999, a date in no known form: possibly a sign of
// tampering) is shown as the evidence wrote it, never turned into "no date".
// The text is not trimmed: callers trim what their format allows, and the
// raw value kept is what was parsed.
func ParseText(text string, layouts ...string) (time.Time, error) {
	return ParseTextIn(text, time.UTC, layouts...)
}

// ParseTextIn is ParseText for text a device writes in its own zone: a
// layout without a zone reads the text in loc (time.ParseInLocation).
func ParseTextIn(text string, loc *time.Location, layouts ...string) (time.Time, error) {
	if text == "" {
		return time.Time{}, nil
	}
	if loc == nil {
		loc = time.UTC
	}
	for _, layout := range layouts {
		t, err := time.ParseInLocation(layout, text, loc)
		if err != nil {
			continue
		}
		if !InRange(t) {
			return time.Time{}, &RangeError{Raw: text, Scale: "text date"}
		}
		return t, nil
	}
	return time.Time{}, &TextError{Raw: text}
}

// TextError says a text is a date in none of the layouts it was read with.
// Raw is the text as given.
type TextError struct {
	Raw string
}

func (e *TextError) Error() string {
	return fmt.Sprintf("%q is not a date in any known layout", e.Raw)
}

// As lets errors.As read a TextError as a *RangeError with the same Raw:
// model.NewRawTime, like every caller that keeps raw values, looks for a
// *RangeError, and text that is no date is as much "no date between 1970
// and 2100" as a number out of range.
func (e *TextError) As(target any) bool {
	if p, ok := target.(**RangeError); ok {
		*p = &RangeError{Raw: e.Raw, Scale: "text"}
		return true
	}
	return false
}
