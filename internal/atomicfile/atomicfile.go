package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ErrNotDir is returned (wrapped) by ReplaceDir when dst exists but is not
// a directory; ReplaceDir refuses to replace a regular file by a folder.
var ErrNotDir = errors.New("destination exists and is not a directory")

// WriteFile writes data to path atomically: it creates a temporary file in
// the directory of path, writes data, sets the permission bits to exactly
// perm (no umask is applied), flushes the file to stable storage (fsync),
// closes it and renames it over path.
// The containing directory is then synced on a best-effort basis.
//
// On any failure the temporary file is removed and path keeps its
// previous content (or stays absent). The directory of path must exist.
// Errors are prefixed "atomicfile:" and wrap the underlying *fs.PathError
// or *os.LinkError.
func WriteFile(path string, data []byte, perm os.FileMode) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("atomicfile: write %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close() // may already be closed; the error is irrelevant here
			_ = os.Remove(tmp)
		}
	}()

	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("atomicfile: write %s: %w", path, err)
	}
	if err = f.Chmod(perm); err != nil {
		return fmt.Errorf("atomicfile: write %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("atomicfile: write %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("atomicfile: write %s: %w", path, err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("atomicfile: write %s: %w", path, err)
	}
	syncDir(dir)
	return nil
}

// ReplaceDir builds a new directory and swaps it into place at dst.
//
// It creates a fresh, empty temporary directory beside dst (same parent,
// mode 0755) and calls build with its path. Only when build returns nil is
// the result published: if dst does not exist, the temporary directory is
// renamed to dst; if dst is an existing directory, it is first renamed
// aside, the new one is renamed to dst and the old one is then removed.
//
// When build fails (or panics), the temporary directory is removed and dst
// is left untouched; build's error is returned unchanged so that callers
// can test it with errors.Is / errors.As. When the final rename fails, the
// old directory is moved back. The parent of dst must exist. If dst exists
// and is not a directory, ReplaceDir returns an error wrapping ErrNotDir
// before calling build.
//
// ReplaceDir does not fsync the files that build writes; build should
// write them with WriteFile (or sync them itself) when durability matters.
// Between the two renames there is a short window in which dst is absent.
func ReplaceDir(dst string, build func(tmpDir string) error) (err error) {
	dst = filepath.Clean(dst)
	parent, base := filepath.Split(dst)
	if parent == "" {
		parent = "."
	}
	if st, err := os.Lstat(dst); err == nil && !st.IsDir() {
		return fmt.Errorf("atomicfile: replace %s: %w", dst, ErrNotDir)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("atomicfile: replace %s: %w", dst, err)
	}

	tmp, err := os.MkdirTemp(parent, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("atomicfile: replace %s: %w", dst, err)
	}
	published := false
	defer func() {
		// Runs on error returns and on panics inside build.
		if !published {
			_ = os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("atomicfile: replace %s: %w", dst, err)
	}

	if err := build(tmp); err != nil {
		return err
	}

	// Move the current dst (if any) into a private holding directory.
	hold, err := os.MkdirTemp(parent, "."+base+".old-*")
	if err != nil {
		return fmt.Errorf("atomicfile: replace %s: %w", dst, err)
	}
	keepHold := false
	defer func() {
		if !keepHold {
			_ = os.RemoveAll(hold)
		}
	}()
	old := filepath.Join(hold, base)
	hadOld := true
	if err := os.Rename(dst, old); err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("atomicfile: replace %s: %w", dst, err)
		}
		hadOld = false
	}

	if err := os.Rename(tmp, dst); err != nil {
		if hadOld {
			if rerr := os.Rename(old, dst); rerr != nil {
				// Keep the old content rather than deleting it with hold.
				keepHold = true
				return fmt.Errorf("atomicfile: replace %s: %w (previous content left in %s: %v)",
					dst, err, hold, rerr)
			}
		}
		return fmt.Errorf("atomicfile: replace %s: %w", dst, err)
	}
	published = true
	syncDir(parent)
	return nil
}

// syncDir flushes a directory entry change to disk. Some file systems
// reject fsync on directories; the rename has happened either way, so the
// error is deliberately dropped.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}

// ErrForeign is wrapped by CheckReplaceable when a directory may hold
// something its writer would not write there: a user's file, or the
// output of another command.
var ErrForeign = errors.New("holds files deepfin would not write there")

// RefusedError is the error CheckReplaceable returns for a path it will
// not let ReplaceDir replace. It matches fs.ErrExist with errors.Is, and
// ErrNotDir when the path is not a directory, ErrForeign otherwise.
type RefusedError struct {
	Dir    string // the path, as given
	Marker string // the marker file of a directory deepfin wrote
	// NotDir is true when Dir is not a directory.
	NotDir bool
	// Foreign lists the entries for which owned returned false, sorted,
	// with a trailing "/" on directories; empty when every entry looks
	// like deepfin's but the marker is missing.
	Foreign []string
	// NoMarker is true when the directory lacks Marker.
	NoMarker bool
}

// Error returns one line such as "refusing to replace out: it holds
// files deepfin would not write there: notes.txt". Unlike this package's
// I/O errors it carries no "atomicfile:" prefix: it is a decision the
// caller reports to the user under its own prefix.
func (e *RefusedError) Error() string {
	return "refusing to replace " + e.Dir + ": " + e.Reason()
}

// Reason returns why the path is refused, without the path: it is not a
// directory, it holds entries deepfin would not write there (at most five
// named), or, when every entry looks like deepfin's, it lacks the marker.
func (e *RefusedError) Reason() string {
	if e.NotDir {
		return "it is not a directory"
	}
	if len(e.Foreign) == 0 {
		return fmt.Sprintf("it has no %s, the file that marks a folder deepfin wrote", e.Marker)
	}
	const most = 5
	names := strings.Join(e.Foreign[:min(len(e.Foreign), most)], ", ")
	if n := len(e.Foreign) - most; n > 0 {
		names += fmt.Sprintf(" and %d more", n)
	}
	return "it " + ErrForeign.Error() + ": " + names
}

// Unwrap returns ErrNotDir or ErrForeign, and fs.ErrExist.
func (e *RefusedError) Unwrap() []error {
	if e.NotDir {
		return []error{ErrNotDir, fs.ErrExist}
	}
	return []error{ErrForeign, fs.ErrExist}
}

// CheckReplaceable reports whether ReplaceDir may replace dir without
// losing anything of the user's: it returns nil when dir is absent or
// empty, or when it holds the marker file and only entries for which
// owned returns true. Otherwise it returns a *RefusedError: when dir is
// not a directory, or holds entries for which owned returns false (all
// of them listed), or lacks the marker. It returns the file system's
// error when dir cannot be read.
func CheckReplaceable(dir, marker string, owned func(name string) bool) error {
	st, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("atomicfile: %w", err)
	}
	if !st.IsDir() {
		return &RefusedError{Dir: dir, Marker: marker, NotDir: true}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("atomicfile: %w", err)
	}
	if len(entries) == 0 {
		return nil
	}
	var foreign []string
	for _, e := range entries { // ReadDir sorts by name
		if !owned(e.Name()) {
			name := e.Name()
			if e.IsDir() {
				name += "/"
			}
			foreign = append(foreign, name)
		}
	}
	_, err = os.Stat(filepath.Join(dir, marker))
	noMarker := err != nil
	if len(foreign) > 0 || noMarker {
		return &RefusedError{Dir: dir, Marker: marker, Foreign: foreign, NoMarker: noMarker}
	}
	return nil
}
