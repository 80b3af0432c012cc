package aqf

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/huella-project/huella/internal/heuristics/android"
	"github.com/huella-project/huella/internal/model"
	"github.com/huella-project/huella/internal/module"
)

// Package is one entry of androidqf's packages.json.
type Package struct {
	Name        string        `json:"name"`
	Files       []PackageFile `json:"files"`
	Installer   string        `json:"installer"`
	UID         int64         `json:"uid"`
	Disabled    bool          `json:"disabled"`
	System      bool          `json:"system"`
	ThirdParty  bool          `json:"third_party"`
	Permissions []string      `json:"requested_permissions,omitempty"`
}

// PackageFile is one APK of a package.
type PackageFile struct {
	Path                string       `json:"path"`
	LocalName           string       `json:"local_name,omitempty"`
	MD5                 string       `json:"md5,omitempty"`
	SHA1                string       `json:"sha1,omitempty"`
	SHA256              string       `json:"sha256,omitempty"`
	SHA512              string       `json:"sha512,omitempty"`
	Error               string       `json:"error,omitempty"`
	VerifiedCertificate bool         `json:"verified_certificate"`
	Certificate         *Certificate `json:"certificate,omitempty"`
	CertificateError    string       `json:"certificate_error,omitempty"`
	TrustedCertificate  bool         `json:"trusted_certificate"`
}

// Certificate is the APK signer as androidqf describes it.
type Certificate struct {
	MD5                string `json:"Md5"`
	SHA1               string `json:"Sha1"`
	SHA256             string `json:"Sha256"`
	ValidFrom          string `json:"ValidFrom,omitempty"`
	ValidTo            string `json:"ValidTo,omitempty"`
	Issuer             string `json:"Issuer,omitempty"`
	Subject            string `json:"Subject,omitempty"`
	SignatureAlgorithm string `json:"SignatureAlgorithm,omitempty"`
	SerialNumber       any    `json:"SerialNumber,omitempty"`
}

// maxPackages bounds packages.json; phones have a few hundred.
const maxPackages = 100_000

// ParsePackages reads packages.json (a JSON list). Entries that do not
// decode are counted in bad, not fatal.
func ParsePackages(b []byte) (pkgs []Package, bad int, err error) {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, 0, fmt.Errorf("not a JSON list of packages: %w", err)
	}
	if len(raw) > maxPackages {
		return nil, 0, fmt.Errorf("%d packages, more than the limit of %d", len(raw), maxPackages)
	}
	for _, r := range raw {
		var p Package
		if json.Unmarshal(r, &p) != nil || p.Name == "" {
			bad++
			continue
		}
		pkgs = append(pkgs, p)
	}
	return pkgs, bad, nil
}

func runPackages(ctx context.Context, env *module.Env) error {
	b, name, err := readAll(env, "packages.json")
	if err != nil {
		return err
	}
	pkgs, bad, err := ParsePackages(b)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if bad > 0 {
		env.Warn("%s: %d entries could not be read", name, bad)
	}
	for i := range pkgs {
		if err := ctx.Err(); err != nil {
			return err
		}
		p := &pkgs[i]
		r := packageRecord(name, p)
		env.Emit(r)
		system := p.System || preinstalled(p)
		for _, d := range android.PackageInstall(p.Name, p.Installer, system, p.Disabled) {
			detect(env, &d, r)
		}
		detect(env, android.InstallerPermission(p.Name, p.Permissions, system), r)
	}
	return nil
}

// preinstalled says whether the package's APK lies on a partition that
// ships with the phone, so it came with it even when not flagged system.
func preinstalled(p *Package) bool {
	for _, f := range p.Files {
		if android.PreinstalledPath(f.Path) {
			return true
		}
	}
	return false
}

func packageRecord(src string, p *Package) *model.Record {
	var flags []string
	if p.System {
		flags = append(flags, "system")
	}
	if p.Disabled {
		flags = append(flags, "disabled")
	}
	installer := p.Installer
	if installer == "" || installer == "null" {
		installer = "unknown"
	}
	sum := fmt.Sprintf("Package %s installed by %s", p.Name, installer)
	if len(flags) > 0 {
		sum += " (" + strings.Join(flags, ", ") + ")"
	}
	r := &model.Record{Source: src, Summary: sum, Data: p}
	r.Add(model.KindAppID, p.Name, "name")
	if p.Installer != "null" {
		r.Add(model.KindAppID, p.Installer, "installer")
	}
	for _, f := range p.Files {
		r.Add(model.KindFilePath, f.Path, "files.path")
		r.Add(model.KindSHA256, strings.ToLower(f.SHA256), "files.sha256")
		r.Add(model.KindSHA1, strings.ToLower(f.SHA1), "files.sha1")
		r.Add(model.KindMD5, strings.ToLower(f.MD5), "files.md5")
		if c := f.Certificate; c != nil {
			r.Add(model.KindCertSHA256, strings.ToLower(c.SHA256), "files.certificate.Sha256")
			r.Add(model.KindCertSHA1, strings.ToLower(c.SHA1), "files.certificate.Sha1")
			r.Add(model.KindCertMD5, strings.ToLower(c.MD5), "files.certificate.Md5")
		}
	}
	return r
}
