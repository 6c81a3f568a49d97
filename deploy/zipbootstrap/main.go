// Command zipbootstrap writes dist/<function>.zip holding dist/<function>/bootstrap
// as an executable "bootstrap" at the archive's root, the layout the
// provided.al2023 runtime wants. The archive is reproducible (fixed time, no
// extra fields), so an unchanged binary gives an unchanged zip and no
// redeployment. It needs nothing beyond Go, unlike zip(1).
//
//	go run ./deploy/zipbootstrap dist/define-auth-challenge dist/sms-worker ...
package main

import (
	"archive/zip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: zipbootstrap DIR... (each DIR holds bootstrap; writes DIR.zip)")
		os.Exit(2)
	}
	for _, dir := range os.Args[1:] {
		dir = strings.TrimSuffix(dir, "/")
		if err := Zip(filepath.Join(dir, "bootstrap"), dir+".zip"); err != nil {
			fmt.Fprintln(os.Stderr, "zipbootstrap:", err)
			os.Exit(1)
		}
	}
}

// epoch is the archive's timestamp: the earliest a zip can hold.
var epoch = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// Zip writes dst with src's content as "bootstrap", mode 0755. dst is
// replaced only once complete.
func Zip(src, dst string) (err error) {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".zipbootstrap-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	zw := zip.NewWriter(tmp)
	h := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate, Modified: epoch}
	h.SetMode(0o755)
	w, err := zw.CreateHeader(h)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, in); err != nil {
		return fmt.Errorf("zip %s: %w", src, err)
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dst)
}
