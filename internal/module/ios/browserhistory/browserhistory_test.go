package browserhistory

import (
	"testing"
	"time"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/timestamp"
)

func TestVisitRecord(t *testing.T) {
	at := time.Date(2021, 6, 1, 10, 0, 0, 0, time.UTC)
	_, bad := timestamp.Apple(9.5e9) // no date: kept raw
	tests := []struct {
		name    string
		v       Visit
		summary string
		times   int
		raw     string
	}{
		{"plain", Visit{Browser: "Chrome", URL: "https://a.example/", Time: at, Stamp: "chrome_visit"},
			"Chrome visit https://a.example/", 1, ""},
		{"redirected to", Visit{Browser: "Safari", URL: "https://a.example/", RedirectTo: "https://b.example/", Time: at, Stamp: "safari_visit"},
			"Safari visit https://a.example/ -> redirected to https://b.example/", 1, ""},
		{"redirected from", Visit{Browser: "Safari", URL: "https://b.example/", RedirectFrom: "https://a.example/", Time: at, Stamp: "safari_visit"},
			"Safari visit https://b.example/ (redirected from https://a.example/)", 1, ""},
		{"both", Visit{Browser: "Safari", URL: "https://b.example/", RedirectTo: "https://c.example/", RedirectFrom: "https://a.example/", Time: at, Stamp: "safari_visit"},
			"Safari visit https://b.example/ -> redirected to https://c.example/ (redirected from https://a.example/)", 1, ""},
		{"no time", Visit{Browser: "Firefox", URL: "https://a.example/", Stamp: "firefox_visit"},
			"Firefox visit https://a.example/", 0, ""},
		{"time no date", Visit{Browser: "Safari", URL: "https://a.example/", TimeErr: bad, Stamp: "safari_visit"},
			"Safari visit https://a.example/", 0, "9.5e+09"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := &struct{}{}
			r := tt.v.Record("History.db", data)
			if r.Source != "History.db" || r.Data != any(data) || r.Summary != tt.summary {
				t.Fatalf("record %q %v %q, want summary %q", r.Source, r.Data, r.Summary, tt.summary)
			}
			if len(r.Observables) != 1 || r.Observables[0] != (model.Observable{Kind: model.KindURL, Value: tt.v.URL, Field: "url"}) {
				t.Errorf("observables %+v: want only the visited URL", r.Observables)
			}
			if len(r.Times) != tt.times || tt.times == 1 && (r.Times[0].Desc != tt.v.Stamp || !r.Times[0].Time.Equal(at)) {
				t.Errorf("times %+v", r.Times)
			}
			switch {
			case tt.raw == "" && len(r.RawTimes) != 0:
				t.Errorf("raw times %+v, want none", r.RawTimes)
			case tt.raw != "" && (len(r.RawTimes) != 1 || r.RawTimes[0].Raw != tt.raw || r.RawTimes[0].Desc != tt.v.Stamp):
				t.Errorf("raw times %+v, want %q kept", r.RawTimes, tt.raw)
			}
		})
	}
}
