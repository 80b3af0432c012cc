package samplegen

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// gen is the deterministic random source of one corpus.
type gen struct{ r *rand.Rand }

func newGen(seed int64, stream uint64) *gen {
	return &gen{rand.New(rand.NewPCG(uint64(seed), stream))}
}

func (g *gen) pick(s []string) string { return s[g.r.IntN(len(s))] }

// time returns a filler instant in the corpus span, never in the quiet
// window around the plant.
func (g *gen) time() time.Time {
	span := spanEnd.Sub(spanStart)
	for {
		t := spanStart.Add(time.Duration(g.r.Int64N(int64(span))))
		if t.Before(quietFrom) || t.After(quietTo) {
			return t.Truncate(time.Millisecond)
		}
	}
}

// Hosts of links in messages and of visits are disjoint (no host is a
// sub-domain of another across the two lists), so filler never forms the
// message → visit chain the correlation looks for.
var (
	messageHosts = []string{"en.wikipedia.org", "maps.apple.com", "github.com", "www.bbc.co.uk", "docs.python.org",
		"www.openstreetmap.org", "www.gutenberg.org", "archive.org", "www.w3.org", "go.dev"}
	visitHosts = []string{"www.nytimes.com", "elpais.com", "duckduckgo.com", "www.lemonde.fr", "stackoverflow.com",
		"www.reuters.com", "news.ycombinator.com", "www.eluniversal.com.mx", "www.theguardian.com", "developer.mozilla.org"}
	pathWords = []string{"news", "wiki", "article", "search", "guide", "about", "help", "docs", "story", "world", "sports", "weather"}
	phrases   = []string{"see you at the market tomorrow", "ok, thanks!", "running ten minutes late", "happy birthday!!",
		"did you get home alright?", "call me when you can", "the meeting moved to 4pm", "I'll bring the keys",
		"nos vemos mañana", "¿ya comiste?", "llego en diez minutos", "gracias por todo", "good night", "here is the link I mentioned"}
	procNames = []string{"mobilesafari", "MobileMail", "nsurlsessiond", "itunesstored", "Maps", "Weather", "WhatsApp",
		"Spotify", "Telegram", "Instagram", "YouTube", "Podcasts", "News", "mapspushd", "cloudd", "apsd", "assistantd",
		"backboardd", "SpringBoard", "identityservicesd", "akd", "parsecd", "geod", "healthd", "Music", "Photos"}
	tccServices = []string{"kTCCServiceCamera", "kTCCServiceMicrophone", "kTCCServicePhotos", "kTCCServiceAddressBook",
		"kTCCServiceCalendar", "kTCCServiceReminders", "kTCCServiceMotion", "kTCCServiceBluetoothAlways", "kTCCServiceMediaLibrary"}
	firstNames = []string{"Ana", "Luis", "María", "José", "Sofía", "Diego", "Lucía", "Carlos", "Elena", "Pablo", "Marta", "Jorge"}
	lastNames  = []string{"García", "López", "Martínez", "Hernández", "Ruiz", "Flores", "Torres", "Díaz", "Vargas", "Castro"}
)

// phone returns the i-th synthetic number in a range no real plan assigns
// to people (+52 55 0xxx xxxx).
func phone(i int) string { return fmt.Sprintf("+52 55 0%03d %04d", (i/10000)%1000, i%10000) }

func (g *gen) url(hosts []string) string {
	return fmt.Sprintf("https://%s/%s/%s-%d", g.pick(hosts), g.pick(pathWords), g.pick(pathWords), g.r.IntN(100000))
}

// appleSeconds is t in seconds since 2001-01-01, the Core Data epoch.
func appleSeconds(t time.Time) float64 {
	return float64(t.Sub(appleEpoch)) / float64(time.Second)
}

var appleEpoch = time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
