package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"strings"

	"github.com/pagematch/pagematch/fingerprint"
)

// stdinPath names standard input on the command line.
const stdinPath = "-"

// input is one file to fingerprint.
type input struct {
	path string // as given or walked, with the OS separators
	// id is the path relative to the PATH argument it came from, with '/'
	// separators; the base name for a file argument.
	id string
	// named is set for files named on the command line: they are always
	// read, so a non-image among them is an error, not a skip.
	named bool
	skip  string // non-empty: not read, for this reason (a notice)
	err   error  // the file could not be listed
}

// inputs lists the files under paths in order: each argument in turn, and
// the files of a folder in lexical order.
func inputs(paths []string) iter.Seq[input] {
	return func(yield func(input) bool) {
		for _, p := range paths {
			if !walkPath(p, yield) {
				return
			}
		}
	}
}

// errStop ends a walk early when the consumer stops.
var errStop = errors.New("stop")

func walkPath(root string, yield func(input) bool) bool {
	if root == stdinPath {
		return yield(input{path: root, id: root, named: true})
	}
	st, err := os.Stat(root)
	switch {
	case err != nil:
		return yield(input{path: root, err: err})
	case !st.IsDir():
		return yield(input{path: root, id: filepath.Base(root), named: true})
	}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		in := input{path: p, err: err}
		switch {
		case err != nil:
		case d.IsDir():
			return nil
		case d.Type()&fs.ModeSymlink != 0:
			// WalkDir does not follow links; read linked files, not folders.
			if st, err := os.Stat(p); err != nil {
				in.err = err
			} else if !st.Mode().IsRegular() {
				in.skip = "not a regular file"
			}
		case !d.Type().IsRegular():
			in.skip = "not a regular file" // pipes and devices could block
		}
		if in.err == nil {
			rel, err := filepath.Rel(root, p)
			if err != nil {
				in.err = err
			}
			in.id = filepath.ToSlash(rel)
		}
		if !yield(in) {
			return errStop
		}
		return nil
	})
	return !errors.Is(err, errStop)
}

// imageExts are the extensions of the formats pagematch reads.
var imageExts = map[string]bool{".jpg": true, ".jpeg": true, ".jpe": true, ".png": true, ".gif": true, ".webp": true}

// looksLikeImage reports whether a file is an image by its first bytes or,
// for damaged files that should be reported rather than skipped, its name.
func looksLikeImage(name string, head []byte) bool {
	switch {
	case bytes.HasPrefix(head, []byte("\xff\xd8\xff")),
		bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")),
		bytes.HasPrefix(head, []byte("GIF87a")), bytes.HasPrefix(head, []byte("GIF89a")),
		len(head) >= 12 && string(head[:4]) == "RIFF" && string(head[8:12]) == "WEBP":
		return true
	}
	return imageExts[strings.ToLower(filepath.Ext(name))]
}

// outcome is the result of fingerprinting one input.
type outcome struct {
	fp   *fingerprint.Fingerprint
	skip string // non-empty: not fingerprinted, for this reason (a notice)
	err  error
}

// fingerprinter returns the work function that fingerprints one input.
func fingerprinter(stdin io.Reader, opts []fingerprint.Option) func(context.Context, input) outcome {
	return func(ctx context.Context, in input) outcome {
		var r io.Reader = stdin
		if in.path != stdinPath {
			f, err := os.Open(in.path)
			if err != nil {
				return outcome{err: err}
			}
			defer f.Close()
			r = f
		}
		if !in.named {
			var head [16]byte
			n, err := io.ReadFull(r, head[:])
			if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
				return outcome{err: fmt.Errorf("read: %w", err)}
			}
			if !looksLikeImage(in.path, head[:n]) {
				return outcome{skip: "not an image"}
			}
			r = io.MultiReader(bytes.NewReader(head[:n]), r)
		}
		fp, err := fingerprint.FromReader(ctx, r, opts...)
		return outcome{fp: fp, err: err}
	}
}
