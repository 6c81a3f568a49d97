package main

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestZipHoldsExecutableBootstrapAtRoot(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "bootstrap")
	want := []byte("\x7fELF not really")
	if err := os.WriteFile(src, want, 0o644); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, "f.zip")
	if err := Zip(src, dst); err != nil {
		t.Fatal(err)
	}
	first, err := os.ReadFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.OpenReader(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	if len(zr.File) != 1 {
		t.Fatalf("archive holds %d files, want 1", len(zr.File))
	}
	f := zr.File[0]
	if f.Name != "bootstrap" {
		t.Errorf("name %q, want bootstrap", f.Name)
	}
	if f.Mode().Perm() != 0o755 {
		t.Errorf("mode %v, want 0755 (Lambda runs bootstrap)", f.Mode())
	}
	rc, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, want) {
		t.Errorf("content %q, want %q", got, want)
	}

	// Reproducible: the same input gives the same bytes.
	if err := Zip(src, dst); err != nil {
		t.Fatal(err)
	}
	second, _ := os.ReadFile(dst)
	if !bytes.Equal(first, second) {
		t.Error("two zips of one file differ")
	}
}
