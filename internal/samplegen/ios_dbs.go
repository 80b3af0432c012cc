package samplegen

import (
	"encoding/binary"
	"fmt"
	"time"
)

// Handles 0..knownHandles-1 are in the address book; the rest are not.
// Filler messages from unknown senders carry no links, so the lure
// heuristics stay quiet on filler.
const (
	handleCount  = 500
	knownHandles = 400
)

func writeAddressBook(p string, plant bool) (int, error) {
	db, err := createDB(p, `CREATE TABLE ABPerson (ROWID INTEGER PRIMARY KEY, First TEXT, Last TEXT, Organization TEXT, CreationDate REAL, ModificationDate REAL);
CREATE TABLE ABMultiValue (UID INTEGER PRIMARY KEY, record_id INTEGER, property INTEGER, identifier INTEGER, label INTEGER, value TEXT);`)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	g := newGen(0, 1)
	people := newInserter(db, "INSERT INTO ABPerson VALUES (?,?,?,?,?,?)")
	values := newInserter(db, "INSERT INTO ABMultiValue VALUES (?,?,?,?,?,?)")
	for i := range knownHandles {
		created := appleSeconds(g.time())
		if err := people.add(i+1, g.pick(firstNames), g.pick(lastNames), nil, created, created); err != nil {
			return 0, err
		}
		if err := values.add(i+1, i+1, 3, 0, 1, phone(i)); err != nil {
			return 0, err
		}
	}
	if err := people.flush(); err != nil {
		return 0, err
	}
	return knownHandles, values.flush()
}

// typedStream archives text as Messages does in attributedBody (an
// NSAttributedString in NeXT typedstream form), for rows whose text
// column is NULL as on iOS 16 and later.
func typedStream(text string) []byte {
	b := []byte("\x04\x0bstreamtyped\x81\xe8\x03\x84\x01@\x84\x84\x84\x12NSAttributedString\x00\x84\x84\x08NSObject\x00\x85\x92\x84\x84\x84\x08NSString\x01\x94\x84\x01+")
	switch n := len(text); {
	case n < 0x80:
		b = append(b, byte(n))
	case n < 0x8000:
		b = append(b, 0x81)
		b = binary.LittleEndian.AppendUint16(b, uint16(n))
	default:
		b = append(b, 0x82)
		b = binary.LittleEndian.AppendUint32(b, uint32(n))
	}
	b = append(b, text...)
	return append(b, "\x86\x84\x02iI\x01"...)
}

func appleNanos(t time.Time) int64 { return t.Sub(appleEpoch).Nanoseconds() }

func writeSMS(p string, o Options) (int, error) {
	db, err := createDB(p, `CREATE TABLE handle (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, country TEXT, service TEXT NOT NULL, uncanonicalized_id TEXT);
CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT NOT NULL, text TEXT, handle_id INTEGER DEFAULT 0,
 subject TEXT, attributedBody BLOB, service TEXT, account TEXT, date INTEGER, date_read INTEGER, date_delivered INTEGER,
 is_from_me INTEGER DEFAULT 0, is_read INTEGER DEFAULT 0, cache_has_attachments INTEGER DEFAULT 0);
CREATE INDEX message_idx_handle ON message(handle_id);`)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	hs := newInserter(db, "INSERT INTO handle (ROWID, id, country, service) VALUES (?,?,?,?)")
	for i := range handleCount {
		svc := "SMS"
		if i%3 == 0 {
			svc = "iMessage"
		}
		if err := hs.add(i+1, phone(i), "mx", svc); err != nil {
			return 0, err
		}
	}
	if o.Plant {
		if err := hs.add(handleCount+1, PlantedSender, "mx", "SMS"); err != nil {
			return 0, err
		}
	}
	if err := hs.flush(); err != nil {
		return 0, err
	}
	g := newGen(o.Seed, 2)
	ms := newInserter(db, `INSERT INTO message (guid, text, handle_id, attributedBody, service, account, date, date_read, date_delivered, is_from_me, is_read)
		VALUES (?,?,?,?,?,?,?,?,?,?,?)`)
	for i := range o.Messages {
		h := g.r.IntN(handleCount)
		text := g.pick(phrases)
		fromMe := g.r.IntN(3) == 0
		if h < knownHandles || fromMe {
			switch g.r.IntN(8) {
			case 0:
				text += " " + g.url(messageHosts)
			case 1: // schemeless, as people type them
				text += " " + g.pick(messageHosts) + "/" + g.pick(pathWords)
			}
		}
		t := g.time()
		var body any
		var plain any = text
		if g.r.IntN(10) == 0 {
			plain, body = nil, typedStream(text)
		}
		svc := "SMS"
		if h%3 == 0 {
			svc = "iMessage"
		}
		from := 0
		if fromMe {
			from = 1
		}
		if err := ms.add(fmt.Sprintf("SYN-%08X-%d", o.Seed, i), plain, h+1, body, svc, "p:+525500000000",
			appleNanos(t), appleNanos(t.Add(time.Minute)), appleNanos(t.Add(2*time.Second)), from, 1); err != nil {
			return 0, err
		}
	}
	n := o.Messages
	if o.Plant {
		t := PlantTime
		if err := ms.add("SYN-PLANTED-LURE", "Your parcel could not be delivered. Confirm your address within 24 hours: "+PlantedURL,
			handleCount+1, nil, "SMS", "p:+525500000000", appleNanos(t), nil, appleNanos(t), 0, 0); err != nil {
			return 0, err
		}
		n++
	}
	return n, ms.flush()
}

func writeSafari(p string, o Options) (int, error) {
	db, err := createDB(p, `CREATE TABLE history_items (id INTEGER PRIMARY KEY AUTOINCREMENT, url TEXT NOT NULL UNIQUE, domain_expansion TEXT NULL,
 visit_count INTEGER NOT NULL, daily_visit_counts BLOB NOT NULL DEFAULT x'', should_recompute_derived_visit_counts INTEGER NOT NULL DEFAULT 0);
CREATE TABLE history_visits (id INTEGER PRIMARY KEY AUTOINCREMENT, history_item INTEGER NOT NULL REFERENCES history_items(id) ON DELETE CASCADE,
 visit_time REAL NOT NULL, title TEXT NULL, load_successful BOOLEAN NOT NULL DEFAULT 1, http_non_get BOOLEAN NOT NULL DEFAULT 0,
 synthesized BOOLEAN NOT NULL DEFAULT 0, redirect_source INTEGER NULL UNIQUE, redirect_destination INTEGER NULL UNIQUE,
 origin INTEGER NOT NULL DEFAULT 0, generation INTEGER NOT NULL DEFAULT 0, attributes INTEGER NOT NULL DEFAULT 0, score INTEGER NOT NULL DEFAULT 0);
CREATE INDEX history_visits__item ON history_visits (history_item);`)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	g := newGen(o.Seed, 3)
	nItems := max(o.Visits/5, 1)
	items := newInserter(db, "INSERT INTO history_items (id, url, domain_expansion, visit_count) VALUES (?,?,?,?)")
	urls := make([]string, nItems)
	for i := range nItems {
		urls[i] = fmt.Sprintf("https://%s/%s/%d", visitHosts[i%len(visitHosts)], g.pick(pathWords), i)
		if err := items.add(i+1, urls[i], nil, 5); err != nil {
			return 0, err
		}
	}
	// Plain-HTTP twins of some items, for same-site redirect chains.
	plainHTTP := func(item int) int { return nItems + item + 1 }
	chains := 0
	for i := 0; i < nItems; i += 50 {
		if err := items.add(plainHTTP(i), "http"+urls[i][len("https"):], nil, 1); err != nil {
			return 0, err
		}
		chains++
	}
	if err := items.flush(); err != nil {
		return 0, err
	}
	plantItem := 2*nItems + 2
	if o.Plant {
		if err := items.add(plantItem, PlantedURL, nil, 1); err != nil {
			return 0, err
		}
		if err := items.flush(); err != nil {
			return 0, err
		}
	}
	vs := newInserter(db, `INSERT INTO history_visits (id, history_item, visit_time, title, load_successful, redirect_source, redirect_destination)
		VALUES (?,?,?,?,?,?,?)`)
	id := 0
	for id < o.Visits {
		item := g.r.IntN(nItems)
		t := appleSeconds(g.time())
		id++
		if item%50 == 0 && id < o.Visits {
			// http://host/x answered by a redirect to https://host/x 0.2 s later.
			if err := vs.add(id, plainHTTP(item), t, nil, 1, nil, id+1); err != nil {
				return 0, err
			}
			id++
			if err := vs.add(id, item+1, t+0.2, "Page "+fmt.Sprint(item), 1, id-1, nil); err != nil {
				return 0, err
			}
			continue
		}
		if err := vs.add(id, item+1, t, "Page "+fmt.Sprint(item), 1, nil, nil); err != nil {
			return 0, err
		}
	}
	n := o.Visits
	if o.Plant {
		if err := vs.add(id+1, plantItem, appleSeconds(PlantTime.Add(40*time.Second)), "Delivery", 1, nil, nil); err != nil {
			return 0, err
		}
		n++
	}
	return n, vs.flush()
}

func writeDataUsage(p string, o Options) (int, error) {
	db, err := createDB(p, `CREATE TABLE ZPROCESS (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZFIRSTTIMESTAMP TIMESTAMP, ZTIMESTAMP TIMESTAMP, ZBUNDLENAME VARCHAR, ZPROCNAME VARCHAR);
CREATE TABLE ZLIVEUSAGE (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZKIND INTEGER, ZMETADATA INTEGER, ZTAG INTEGER, ZHASPROCESS INTEGER,
 ZBILLCYCLEEND TIMESTAMP, ZTIMESTAMP TIMESTAMP, ZWIFIIN FLOAT, ZWIFIOUT FLOAT, ZWWANIN FLOAT, ZWWANOUT FLOAT);
CREATE INDEX ZLIVEUSAGE_ZHASPROCESS_INDEX ON ZLIVEUSAGE (ZHASPROCESS);`)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	g := newGen(o.Seed, 4)
	procs := newInserter(db, "INSERT INTO ZPROCESS VALUES (?,?,?,?,?,?,?)")
	live := newInserter(db, "INSERT INTO ZLIVEUSAGE (Z_PK, Z_ENT, Z_OPT, ZKIND, ZHASPROCESS, ZTIMESTAMP, ZWIFIIN, ZWIFIOUT, ZWWANIN, ZWWANOUT) VALUES (?,?,?,?,?,?,?,?,?,?)")
	lid := 0
	addLive := func(pk int, t time.Time) error {
		lid++
		return live.add(lid, 11, 1, 0, pk, appleSeconds(t), float64(g.r.IntN(1<<20)), float64(g.r.IntN(1<<18)), float64(g.r.IntN(1<<16)), 0.0)
	}
	for i := range o.Processes {
		name := procNames[i%len(procNames)]
		bundle := fmt.Sprintf("com.synthetic.%s.%d", name, i)
		first := g.time()
		last := first.Add(time.Duration(g.r.IntN(30*24)) * time.Hour)
		if !last.Before(quietFrom) && !last.After(quietTo) {
			last = quietTo.Add(time.Hour)
		}
		if err := procs.add(i+1, 10, 1, appleSeconds(first), appleSeconds(last), bundle, name+"/"+bundle); err != nil {
			return 0, err
		}
		if err := addLive(i+1, first); err != nil {
			return 0, err
		}
		if err := addLive(i+1, last); err != nil {
			return 0, err
		}
	}
	n := o.Processes
	if o.Plant {
		first := PlantTime.Add(40*time.Second + 2*time.Minute)
		if err := procs.add(n+1, 10, 1, appleSeconds(first), appleSeconds(first.Add(30*time.Second)), nil, PlantedProcess); err != nil {
			return 0, err
		}
		if err := addLive(n+1, first); err != nil {
			return 0, err
		}
		n++
	}
	if err := procs.flush(); err != nil {
		return 0, err
	}
	return n, live.flush()
}

func writeTCC(p string, o Options) (int, error) {
	db, err := createDB(p, `CREATE TABLE access (service TEXT NOT NULL, client TEXT NOT NULL, client_type INTEGER NOT NULL, auth_value INTEGER NOT NULL,
 auth_reason INTEGER NOT NULL, auth_version INTEGER NOT NULL, csreq BLOB, policy_id INTEGER, indirect_object_identifier_type INTEGER,
 indirect_object_identifier TEXT NOT NULL DEFAULT 'UNUSED', indirect_object_code_identity BLOB, flags INTEGER, last_modified INTEGER NOT NULL DEFAULT (CAST(strftime('%s','now') AS INTEGER)),
 PRIMARY KEY (service, client, client_type, indirect_object_identifier));`)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	g := newGen(o.Seed, 5)
	in := newInserter(db, "INSERT INTO access (service, client, client_type, auth_value, auth_reason, auth_version, last_modified) VALUES (?,?,?,?,?,?,?)")
	for i := range o.TCC {
		svc := tccServices[i%len(tccServices)]
		client := fmt.Sprintf("com.synthetic.app%d", i/len(tccServices))
		if err := in.add(svc, client, 0, 2*g.r.IntN(2), 2, 1, g.time().Unix()); err != nil {
			return 0, err
		}
	}
	n := o.TCC
	if o.Plant {
		if err := in.add("kTCCServiceMicrophone", PlantedTCCClient, 0, 2, 4, 1, PlantTime.Add(3*time.Minute).Unix()); err != nil {
			return 0, err
		}
		n++
	}
	return n, in.flush()
}

func writeWhatsApp(p string, o Options) (int, error) {
	db, err := createDB(p, `CREATE TABLE ZWACHATSESSION (Z_PK INTEGER PRIMARY KEY, ZCONTACTJID TEXT, ZPARTNERNAME TEXT, ZSESSIONTYPE INTEGER, ZMESSAGECOUNTER INTEGER, ZLASTMESSAGEDATE REAL, ZGROUPINFO INTEGER);
CREATE TABLE ZWAMESSAGE (Z_PK INTEGER PRIMARY KEY, ZCHATSESSION INTEGER, ZFROMJID TEXT, ZTOJID TEXT, ZTEXT TEXT, ZMESSAGEDATE REAL, ZISFROMME INTEGER);
CREATE TABLE ZWAMEDIAITEM (Z_PK INTEGER PRIMARY KEY, ZMESSAGE INTEGER, ZMEDIAURL TEXT);
CREATE TABLE ZWAMESSAGEDATAITEM (Z_PK INTEGER PRIMARY KEY, ZMESSAGE INTEGER, ZMATCHEDTEXT TEXT, ZCONTENT1 TEXT, ZTITLE TEXT);`)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	g := newGen(o.Seed, 6)
	const sessions = 50
	jid := func(i int) string { return fmt.Sprintf("52550%07d@s.whatsapp.net", i) }
	ss := newInserter(db, "INSERT INTO ZWACHATSESSION VALUES (?,?,?,?,?,?,?)")
	for i := range sessions {
		if err := ss.add(i+1, jid(i), g.pick(firstNames)+" "+g.pick(lastNames), 0, 0, appleSeconds(spanEnd), nil); err != nil {
			return 0, err
		}
	}
	if err := ss.flush(); err != nil {
		return 0, err
	}
	n := o.Messages / 10
	ms := newInserter(db, "INSERT INTO ZWAMESSAGE VALUES (?,?,?,?,?,?,?)")
	for i := range n {
		s := g.r.IntN(sessions)
		text := g.pick(phrases)
		if g.r.IntN(8) == 0 {
			text += " " + g.url(messageHosts)
		}
		var from, to any = jid(s), nil
		me := 0
		if g.r.IntN(2) == 0 {
			from, to, me = nil, jid(s), 1
		}
		if err := ms.add(i+1, s+1, from, to, text, appleSeconds(g.time()), me); err != nil {
			return 0, err
		}
	}
	return n, ms.flush()
}
