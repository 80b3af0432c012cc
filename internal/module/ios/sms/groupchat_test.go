package sms

import (
	"slices"
	"testing"

	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module/moduletest"
	"github.com/huella-project/huella/internal/source"
)

func TestGroupChats(t *testing.T) {
	tests := []struct {
		name      string
		chatTable string
		chats     string
		summaries []string
		groups    []bool
	}{
		{"with style", `CREATE TABLE chat (ROWID INTEGER PRIMARY KEY, chat_identifier TEXT, display_name TEXT, style INTEGER)`,
			`INSERT INTO chat VALUES (1, 'chat123456789', 'Familia', 43), (2, '+52 55 1234 5678', '', 45), (3, 'chat999', '', 43), (4, 'friend@icloud.example', '', 45)`,
			[]string{
				`iMessage from +52 55 1234 5678 in group Familia: "hola a todos"`,
				`iMessage to group Familia: "respuesta"`,
				`SMS from +52 55 1234 5678: "uno a uno"`,
				`iMessage to group chat999: "sin nombre"`,
				`iMessage to friend@icloud.example: "hi"`,
				`SMS from unknown: "huérfano"`,
			},
			[]bool{true, true, false, true, false, false}},
		{"without style", `CREATE TABLE chat (ROWID INTEGER PRIMARY KEY, chat_identifier TEXT, display_name TEXT)`,
			`INSERT INTO chat VALUES (1, 'chat123456789', 'Familia'), (2, '+52 55 1234 5678', ''), (3, 'chat999', ''), (4, 'friend@icloud.example', '')`,
			[]string{
				`iMessage from +52 55 1234 5678 in group Familia: "hola a todos"`,
				`iMessage to group Familia: "respuesta"`,
				`SMS from +52 55 1234 5678: "uno a uno"`,
				`iMessage to group chat999: "sin nombre"`,
				`iMessage to friend@icloud.example: "hi"`,
				`SMS from unknown: "huérfano"`,
			},
			[]bool{true, true, false, true, false, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			moduletest.SQLite(t, dir, Paths[0], schema, tt.chatTable, tt.chats,
				`CREATE TABLE chat_message_join (chat_id INTEGER, message_id INTEGER, message_date INTEGER DEFAULT 0)`,
				`INSERT INTO handle (ROWID, id, service) VALUES (1, '+52 55 1234 5678', 'SMS')`,
				`INSERT INTO message (ROWID, text, handle_id, service, date, is_from_me) VALUES
				 (1, 'hola a todos', 1, 'iMessage', 588813210000000000, 0),
				 (2, 'respuesta', 0, 'iMessage', 588813220000000000, 1),
				 (3, 'uno a uno', 1, 'SMS', 588813230000000000, 0),
				 (4, 'sin nombre', 0, 'iMessage', 588813240000000000, 1),
				 (5, 'hi', 0, 'iMessage', 588813250000000000, 1),
				 (6, 'huérfano', 0, 'SMS', 588813260000000000, 0)`,
				// Message 1 is joined twice: the lowest chat wins, without duplicating the message.
				`INSERT INTO chat_message_join (chat_id, message_id) VALUES (1, 1), (2, 1), (1, 2), (2, 3), (3, 4), (4, 5)`)
			sink, err := moduletest.RunDir(t, Def(), source.IOSBackup, dir)
			if err != nil {
				t.Fatal(err)
			}
			var sums []string
			var groups []bool
			for _, r := range sink.Records {
				sums = append(sums, r.Summary)
				groups = append(groups, r.Data.(*Message).GroupChat)
			}
			if !slices.Equal(sums, tt.summaries) || !slices.Equal(groups, tt.groups) {
				t.Errorf("got\n%q %v\nwant\n%q %v", sums, groups, tt.summaries, tt.groups)
			}
			if len(sink.Records) == 6 {
				if m := sink.Records[1].Data.(*Message); m.Chat != "chat123456789" || m.ChatName != "Familia" {
					t.Errorf("group message %+v", m)
				}
				if !moduletest.Has(sink.Records[4], model.KindEmail, "friend@icloud.example") {
					t.Errorf("chat e-mail not exposed: %+v", sink.Records[4].Observables)
				}
			}
		})
	}
}
