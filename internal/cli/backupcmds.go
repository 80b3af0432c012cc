package cli

import (
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/huella-project/huella/internal/atomicfile"
	"github.com/huella-project/huella/internal/results"
	"github.com/huella-project/huella/internal/source"
	"github.com/huella-project/huella/internal/source/iosbackup"
)

// backupPassword resolves --password/--password-file/HUELLA_BACKUP_PASSWORD,
// then the prompt.
func (a *app) backupPassword(f *checkFlags, what string) (string, []byte, error) {
	pw, err := a.password(f)
	if err != nil {
		return "", nil, err
	}
	key, err := readKeyFile(f.keyFile)
	if err != nil {
		return "", nil, err
	}
	if pw == "" && key == nil {
		pw = a.promptPassword(what)
	}
	if pw == "" && key == nil {
		return "", nil, source.ErrPasswordNeeded
	}
	return pw, key, nil
}

func passwordFlags(cmd *cobra.Command, f *checkFlags) {
	cmd.Flags().StringVarP(&f.password, "password", "p", "", "backup password (prefer --password-file or the prompt)")
	markSecret(cmd.Flags(), "password")
	cmd.Flags().StringVar(&f.passwordFile, "password-file", "", "file holding the backup password")
}

func (a *app) decryptBackupCmd() *cobra.Command {
	f := &checkFlags{}
	var out string
	var tree bool
	cmd := &cobra.Command{
		Use:   "decrypt-backup SRC --output DST",
		Short: "Write a decrypted copy of an encrypted iOS backup (optionally also as a Domain/path tree)",
		Long: `decrypt-backup writes a decrypted copy of the encrypted iOS backup SRC into DST,
in the same layout, so any tool can read it; SRC is never written. With
--tree it also restores the original Domain/relative/path layout under
DST/tree. Files whose decrypted size disagrees with the manifest are
reported, never silently truncated.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return exitWith(results.ExitError, errors.New("--output is required"))
			}
			pw, key, err := a.backupPassword(f, args[0])
			if err != nil {
				return exitWith(results.ExitError, openError(args[0], err))
			}
			notes := 0
			err = iosbackup.Decrypt(cmd.Context(), args[0], out, iosbackup.Options{Password: pw, Key: key, Note: func(s string) {
				notes++
				fmt.Fprintln(a.stderr, "warning:", esc(s))
			}}, tree)
			if err != nil {
				return exitWith(results.ExitError, err)
			}
			fmt.Fprintf(a.stdout, "Decrypted backup written to %s (%d problem(s) reported)\n", out, notes)
			return nil
		},
	}
	passwordFlags(cmd, f)
	cmd.Flags().StringVar(&f.keyFile, "key-file", "", "file holding the derived key in hex (from extract-key)")
	cmd.Flags().StringVarP(&out, "output", "o", "", "destination folder (new or empty, outside SRC)")
	cmd.Flags().BoolVar(&tree, "tree", false, "also restore the Domain/relative/path layout under DST/tree")
	return cmd
}

func (a *app) extractKeyCmd() *cobra.Command {
	f := &checkFlags{}
	var out string
	cmd := &cobra.Command{
		Use:   "extract-key BACKUP",
		Short: "Derive an encrypted iOS backup's key once (slow), to pass later with --key-file",
		Long: `extract-key runs the slow password derivation of an encrypted iOS backup
(PBKDF2 with 10 million rounds) once and prints the key in hex, so later
checks of the same case can pass --key-file and skip it. The key opens the
backup as the password does: keep it as safe as the password.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pw, _, err := a.backupPassword(f, args[0])
			if err != nil {
				return exitWith(results.ExitError, openError(args[0], err))
			}
			key, err := iosbackup.DeriveKey(cmd.Context(), args[0], pw)
			if err != nil {
				return exitWith(results.ExitError, err)
			}
			k := hex.EncodeToString(key)
			if out != "" {
				if err := atomicfile.WriteBytes(out, []byte(k+"\n")); err != nil {
					return exitWith(results.ExitError, err)
				}
				fmt.Fprintf(a.stdout, "Key written to %s\n", out)
				return nil
			}
			fmt.Fprintln(a.stdout, k)
			return nil
		},
	}
	passwordFlags(cmd, f)
	cmd.Flags().StringVarP(&out, "output", "o", "", "write the key to this file (0600) instead of stdout")
	return cmd
}
