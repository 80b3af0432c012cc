package iosbackup

import (
	"context"
	"database/sql"
	"errors"
	"iter"

	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/sqlitex"
)

// ErrNotIOSBackup is yielded by Files for evidence not opened by this package.
var ErrNotIOSBackup = errors.New("evidence is not an iOS backup opened by iosbackup")

// Files streams every Files row of Manifest.db, ordered by domain and path,
// with its decoded metadata. A row whose metadata cannot be decoded is
// yielded with the row's own fields and a non-nil error, and the stream goes
// on; a database error ends it. It uses its own connection, so the consumer
// may open evidence files while iterating.
func Files(ctx context.Context, ev *source.Evidence) iter.Seq2[FileEntry, error] {
	return func(yield func(FileEntry, error) bool) {
		b, ok := ev.FS.(*backupFS)
		if !ok {
			yield(FileEntry{}, ErrNotIOSBackup)
			return
		}
		db, err := sqlitex.OpenFile(ctx, b.dbPath, sqlitex.Options{Temp: b.tmp})
		if err != nil {
			yield(FileEntry{}, err)
			return
		}
		defer db.Close()
		if err := db.Table("Files"); err != nil {
			yield(FileEntry{}, err)
			return
		}
		rows, err := db.QueryContext(ctx, "SELECT fileID, domain, relativePath, flags, "+sqlitex.Capped("file")+" FROM Files ORDER BY domain, relativePath")
		if err != nil {
			yield(FileEntry{}, err)
			return
		}
		defer rows.Close()
		for rows.Next() {
			var id, domain, rel sql.NullString
			var flags sql.NullInt64
			var blob any
			if err := rows.Scan(&id, &domain, &rel, &flags, &blob); err != nil {
				yield(FileEntry{}, err)
				return
			}
			e := FileEntry{FileID: id.String, Domain: domain.String, RelativePath: rel.String, Flags: int(flags.Int64)}
			raw, _ := blob.([]byte)
			derr := decodeMBFile(raw, &e)
			if !yield(e, derr) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(FileEntry{}, err)
		}
	}
}

// IsEncrypted says whether ev is an encrypted iOS backup.
func IsEncrypted(ev *source.Evidence) bool {
	b, ok := ev.FS.(*backupFS)
	return ok && b.encrypted()
}
