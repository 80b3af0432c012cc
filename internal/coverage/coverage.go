// Package coverage is how any stage of huella says "this part was not
// checked, because ..., and this is how to fix it". A verdict is only as
// good as what was checked: a gap recorded here makes the outcome
// incomplete (exit status 3, an amber verdict), is listed in info.json,
// printed on the console as one line with its fix, and shown in the
// report's "not checked" block, in the reader's language.
//
// Who reports gaps, and how:
//
//   - the evidence readers (internal/source/...): ev.NotChecked(coverage.Gap{...})
//     for a part of the evidence they could not open (an encrypted inner
//     backup without its password, a nested archive that is not readable,
//     an entry refused or over a size or temp-disk budget);
//   - modules: env.NotChecked(gap) or env.Unreadable(file, err) for a file
//     they found but could not read (internal/module);
//   - the pipeline and the CLI derive the rest (failed, timed-out,
//     interrupted or deselected modules; no indicators loaded).
//
// A new cause needs an entry in texts (English and Spanish reason and fix);
// TestEveryCauseHasTexts enforces it.
package coverage

import "strings"

// Cause says, as one word, why a part was not checked.
type Cause string

const (
	Encrypted     Cause = "encrypted"      // needs a password or key that was not given
	WrongPassword Cause = "wrong_password" // the password given does not open it
	Unreadable    Cause = "unreadable"     // present, but could not be read or parsed
	Failed        Cause = "failed"         // a module stopped with an error
	TimedOut      Cause = "timed_out"      // a module reached its time limit
	Interrupted   Cause = "interrupted"    // the run was stopped (Ctrl-C, SIGTERM, SIGHUP)
	NoIndicators  Cause = "no_indicators"  // no indicator feed loaded: heuristics only
	Deselected    Cause = "deselected"     // left out with --modules
	Refused       Cause = "refused"        // refused by a safety check (not a regular file, a link out of the evidence, an unsafe archive entry)
	OverLimit     Cause = "over_limit"     // over a size, count or temp-disk limit
	Empty         Cause = "empty"          // present but 0 bytes (files in use are often left empty by the acquisition)
	NothingFound  Cause = "nothing_found"  // the evidence holds nothing huella reads
	NotChecked    Cause = "not_checked"    // any other reason, said in Detail
	Uncovered     Cause = "uncovered"      // a custody window (--custody) no dated source of the evidence covers
)

// Gap is one part that should have been checked and was not.
type Gap struct {
	// Part names what was not checked: a file inside the evidence
	// ("backup.ab"), a module ("ios.profiles"), "indicators", "check".
	Part  string `json:"part"`
	Cause Cause  `json:"cause"`
	// Detail is the specific reason (the error met), in English.
	Detail string `json:"detail,omitempty"`
	// Fix is the flag or command that fixes it, when the cause's usual fix
	// (FixText) does not fit; it is shown as written.
	Fix string `json:"fix,omitempty"`
}

type text struct{ reason, fix map[string]string }

// texts holds, per cause, the reason ({part} is replaced) and the usual fix,
// in every language the report speaks.
var texts = map[Cause]text{
	Encrypted: {
		reason: map[string]string{"en": "{part} is encrypted and no password was given, so it was not checked", "es": "{part} está cifrado y no se dio su contraseña, así que no se revisó"},
		fix:    map[string]string{"en": "give the password with --password-file FILE or set HUELLA_BACKUP_PASSWORD", "es": "dé la contraseña con --password-file ARCHIVO o en la variable HUELLA_BACKUP_PASSWORD"},
	},
	WrongPassword: {
		reason: map[string]string{"en": "{part} could not be decrypted with the password given, so it was not checked", "es": "{part} no se pudo descifrar con la contraseña dada, así que no se revisó"},
		fix:    map[string]string{"en": "check the password and give it again (--password-file FILE or HUELLA_BACKUP_PASSWORD)", "es": "compruebe la contraseña y vuelva a darla (--password-file ARCHIVO o HUELLA_BACKUP_PASSWORD)"},
	},
	Unreadable: {
		reason: map[string]string{"en": "{part} could not be read", "es": "{part} no se pudo leer"},
		fix:    map[string]string{"en": "look at the file by hand (command.log names it); if it looks intact, report it", "es": "revise el archivo a mano (command.log lo nombra); si parece intacto, avísenos"},
	},
	Failed: {
		reason: map[string]string{"en": "{part} failed", "es": "{part} falló"},
		fix:    map[string]string{"en": "see the error in command.log; if the file looks intact, report it", "es": "vea el error en command.log; si el archivo parece intacto, avísenos"},
	},
	TimedOut: {
		reason: map[string]string{"en": "{part} was stopped at its time limit", "es": "{part} se detuvo al llegar a su límite de tiempo"},
		fix:    map[string]string{"en": "run the check again with a larger --module-timeout", "es": "repita la revisión con un --module-timeout mayor"},
	},
	Interrupted: {
		reason: map[string]string{"en": "{part} did not finish: the check was interrupted", "es": "{part} no terminó: la revisión se interrumpió"},
		fix:    map[string]string{"en": "run the check again and let it finish", "es": "repita la revisión y déjela terminar"},
	},
	NoIndicators: {
		reason: map[string]string{"en": "no indicator feed was loaded: only the built-in heuristics ran, so known spyware traces were not looked for", "es": "no se cargó ninguna fuente de indicadores: solo se aplicaron las heurísticas propias, así que no se buscaron rastros conocidos de programas espía"},
		fix:    map[string]string{"en": "run 'huella iocs update' (downloads the public feeds) or give --iocs FILE", "es": "ejecute 'huella iocs update' (descarga las fuentes públicas) o dé --iocs ARCHIVO"},
	},
	Deselected: {
		reason: map[string]string{"en": "{part} not run (left out with --modules)", "es": "{part} no se ejecutó (excluido con --modules)"},
		fix:    map[string]string{"en": "run the check again without --modules", "es": "repita la revisión sin --modules"},
	},
	Refused: {
		reason: map[string]string{"en": "{part} was refused by a safety check", "es": "{part} fue rechazado por una comprobación de seguridad"},
		fix:    map[string]string{"en": "look at it by hand: huella does not read it, on purpose", "es": "revíselo a mano: huella no lo lee, a propósito"},
	},
	OverLimit: {
		reason: map[string]string{"en": "{part} is over a size limit and was not read", "es": "{part} supera un límite de tamaño y no se leyó"},
		fix:    map[string]string{"en": "look at it by hand, or raise the limit if the file is genuine", "es": "revíselo a mano, o suba el límite si el archivo es legítimo"},
	},
	Empty: {
		reason: map[string]string{"en": "{part} is present but empty (0 bytes): files in use are often left empty when a phone is acquired, so it was not checked", "es": "{part} está presente pero vacío (0 bytes): los archivos en uso suelen quedar vacíos al extraer un teléfono, así que no se revisó"},
		fix:    map[string]string{"en": "acquire the phone again (unlocked, with its apps closed) or check the file in the original extraction", "es": "vuelva a extraer el teléfono (desbloqueado y con sus aplicaciones cerradas) o revise el archivo en la extracción original"},
	},
	NothingFound: {
		reason: map[string]string{"en": "nothing huella reads was found in {part}", "es": "no se encontró en {part} nada de lo que huella lee"},
		fix:    map[string]string{"en": "give the root folder of the evidence, or the right --type (see 'huella check --help')", "es": "dé la carpeta raíz de la evidencia, o el --type correcto (vea 'huella check --help')"},
	},
	Uncovered: {
		reason: map[string]string{"en": "no source with dates covers the custody window {part}, so this evidence cannot say what happened to the phone in it", "es": "ninguna fuente con fechas cubre la ventana de custodia {part}, así que esta evidencia no puede decir qué le pasó al teléfono en ella"},
		fix:    map[string]string{"en": "check the window's dates and zone; then check evidence taken soon after the phone came back (a sysdiagnose, a backup or an acquisition made right away keeps more of those hours)", "es": "revise las fechas y la zona de la ventana; luego revise evidencia tomada poco después de que el teléfono volvió (un sysdiagnose, una copia de seguridad o una adquisición hecha enseguida conserva más de esas horas)"},
	},
	NotChecked: {
		reason: map[string]string{"en": "{part} was not checked", "es": "{part} no se revisó"},
		fix:    map[string]string{"en": "", "es": ""},
	},
}

// Causes lists every cause with texts, for tests and documentation.
func Causes() []Cause {
	return []Cause{Encrypted, WrongPassword, Unreadable, Failed, TimedOut, Interrupted, NoIndicators, Deselected, Refused, OverLimit, Empty, NothingFound, Uncovered, NotChecked}
}

func pick(m map[string]string, lang string) string {
	if s, ok := m[lang]; ok {
		return s
	}
	return m["en"]
}

// Reason is the plain sentence saying what was not checked and why, in lang
// ("en", "es"); Detail follows after a colon.
func (g Gap) Reason(lang string) string {
	t, ok := texts[g.Cause]
	if !ok {
		t = texts[NotChecked]
	}
	s := strings.ReplaceAll(pick(t.reason, lang), "{part}", g.Part)
	if g.Detail != "" {
		s += ": " + g.Detail
	}
	return s
}

// FixText is how to fix it, in lang: the gap's own Fix when set (it names
// a specific flag), else the cause's usual fix; "" when there is none.
func (g Gap) FixText(lang string) string {
	if g.Fix != "" {
		return g.Fix
	}
	t, ok := texts[g.Cause]
	if !ok {
		return ""
	}
	return pick(t.fix, lang)
}

// Sentence is the gap as one line: reason, then the fix.
func (g Gap) Sentence(lang string) string {
	s := g.Reason(lang)
	if f := g.FixText(lang); f != "" {
		if lang == "es" {
			s += ". Solución: " + f
		} else {
			s += ". Fix: " + f
		}
	}
	return s
}
