package messages

import "strings"

// lureTheme is one kind of bait. Keywords are folded (lower case, no
// accents) and match whole words, singular or plural alike (periodista
// matches periodistas); a trailing '*' matches any word starting with the
// stem (fallec* for fallecio, fallecido, fallecimiento). The themes
// follow the lures documented against journalists and activists in Mexico
// (2016-2019), the UAE, Saudi Arabia and Greece (research/intel.md §4.1);
// keywords are broad on purpose because a theme only raises a finding when
// the sender is unknown and the message carries a link.
type lureTheme struct {
	id       string // its words in each language are the registry term "theme.<id>"
	keywords []string
	words    []string // " kw " forms, built at init
	stems    []string // " stem" forms
}

func (t *lureTheme) matches(norm string) bool {
	for _, w := range t.words {
		if strings.Contains(norm, w) {
			return true
		}
	}
	for _, s := range t.stems {
		if strings.Contains(norm, s) {
			return true
		}
	}
	return false
}

func init() {
	for i := range lureThemes {
		t := &lureThemes[i]
		for _, k := range t.keywords {
			// Keywords go through the same normalisation as the text so
			// an accent or hyphen typed in the list cannot silently never match.
			if stem, ok := strings.CutSuffix(k, "*"); ok {
				t.stems = append(t.stems, strings.TrimSuffix(normalizeText(stem), " "))
			} else {
				t.words = append(t.words, normalizeText(k))
			}
		}
	}
}

var lureThemes = []lureTheme{
	{id: "death", keywords: []string{
		"died", "has died", "passed away", "death of", "funeral", "wake", "condolences", "rest in peace", "obituary",
		"fallec*", "murio", "muere", "muerte de", "funeral", "funerales", "velorio", "sepelio", "pesame",
		"condolencias", "qepd", "descanse en paz", "defuncion", "esquela", "detalles del funeral", "datos del funeral",
		"faleceu", "morreu", "enterro", "deces", "decede*", "obseques",
	}},
	{id: "accident", keywords: []string{
		"accident", "car crash", "injured", "in hospital", "in the hospital", "intensive care",
		"accidente", "accidentad*", "herid*", "hospitaliz*", "terapia intensiva", "esta grave", "choque", "atropell*",
	}},
	{id: "kidnapping", keywords: []string{
		"kidnap*", "abduct*", "amber alert", "went missing", "is missing", "has disappeared", "ransom",
		"secuestr*", "levantaron", "desaparecid*", "desaparecio", "privado de su libertad", "privada de su libertad",
		"alerta amber", "rescate", "sequestr*", "enlev*",
	}},
	{id: "detention", keywords: []string{
		"arrested", "detained", "detainees", "custody", "arrest warrant",
		"detenid*", "arrestad*", "aprehendid*", "orden de aprehension", "orden de arresto", "ministerio publico",
		"fiscalia", "citatorio", "encarcelad*", "preso", "presos", "torturad*",
	}},
	{id: "visa", keywords: []string{
		"visa", "visas", "embassy", "consulate", "passport", "immigration",
		"embajada", "consulado", "pasaporte", "migracion", "migratorio",
	}},
	{id: "mentioned", keywords: []string{
		"your name is mentioned", "mentions you", "you are mentioned", "you re mentioned", "mentioned you",
		"you appear in", "you appear", "accuses you", "accusing you", "talking about you", "about you",
		"te mencionan", "te menciona", "mencionan tu nombre", "menciona tu nombre", "aparece tu nombre",
		"sale tu nombre", "tu nombre aparece", "tu nombre sale", "mencionan", "mencionado", "mencionada", "apareces en", "apareces", "hablan de ti", "habla de ti", "te acusa*", "te exhib*",
		"sobre ti", "acusan de", "te senalan", "donde te mencionan",
	}},
	{id: "bank", keywords: []string{
		"your account", "account suspended", "account blocked", "account has been", "card blocked", "card has been",
		"unusual activity", "suspicious activity", "verify your account", "unauthorized charge",
		"tu cuenta", "su cuenta", "cuenta bloqueada", "cuenta suspendida", "tarjeta bloqueada", "cargo no reconocido",
		"movimiento inusual", "actividad inusual", "actividad sospechosa", "verifica tu cuenta", "compra no reconocida",
	}},
	{id: "delivery", keywords: []string{
		"your package", "your parcel", "delivery attempt", "could not be delivered", "unable to deliver",
		"tracking number", "shipment",
		"tu paquete", "su paquete", "tu envio", "su envio", "entrega pendiente", "no pudimos entregar",
		"intento de entrega", "paqueteria", "guia de rastreo", "numero de guia", "rastrea tu", "rastree su",
	}},
	{id: "invoice", keywords: []string{
		"invoice", "pay the fine", "a fine of", "traffic fine", "unpaid fine", "payment due", "overdue", "traffic ticket",
		"factura", "multa", "fotomulta", "infraccion", "pago pendiente",
	}},
	{id: "debt", keywords: []string{
		"debt", "you owe", "legal action", "lawsuit",
		"deuda", "adeudo", "cobranza", "embargo", "buro de credito", "demanda en su contra", "demanda en tu contra",
		"accion legal",
	}},
	{id: "infidelity", keywords: []string{
		"affair", "cheating on you", "your wife", "your husband", "your girlfriend", "your boyfriend",
		"photos of you", "intimate photos", "nude",
		"infidelidad", "te engana", "te es infiel", "infiel", "tu esposa", "tu esposo", "tu marido", "tu mujer",
		"tu novia", "tu novio", "amante", "fotos tuyas", "fotos intimas", "fotos de tu", "video intimo", "videos intimos",
	}},
	{id: "threat", keywords: []string{
		"armed men", "outside your house", "we know where you live", "they will kill", "be careful",
		"hombres armados", "afuera de tu casa", "fuera de tu casa", "sabemos donde vives", "te van a matar",
		"amenaza*", "cuidate",
	}},
	{id: "activism", keywords: []string{
		"protest", "demonstration", "press conference", "journalist", "your article", "your report",
		"human rights", "tortured", "secrets about",
		"journalism", "reporter", "press freedom",
		"protesta", "manifestacion", "la marcha", "conferencia de prensa", "periodista", "periodismo", "reportero", "reportera",
		"libertad de prensa", "tu nota", "tu articulo",
		"tu reportaje", "nota periodistica", "derechos humanos", "esta nota", "este articulo",
	}},
	{id: "urgency", keywords: []string{
		"urgent", "urgently", "immediately", "asap", "as soon as possible", "please help", "need your help",
		"urgente", "urge", "inmediato", "inmediatamente", "de inmediato", "lo antes posible", "ayudame",
		"necesito tu ayuda", "necesito de tu ayuda",
	}},
}
