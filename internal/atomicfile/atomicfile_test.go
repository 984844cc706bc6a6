package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// entries lists the names in dir, to check that no staging files remain.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	require.NoError(t, err)
	names := make([]string, 0, len(des))
	for _, de := range des {
		names = append(names, de.Name())
	}
	return names
}

func TestWriteFile(t *testing.T) {
	tests := []struct {
		name    string
		prepare func(t *testing.T, path string)
		perm    os.FileMode
		data    string
	}{
		{name: "new file", perm: 0o644, data: "hello"},
		{name: "replace existing", perm: 0o600, data: "new", prepare: func(t *testing.T, path string) {
			require.NoError(t, os.WriteFile(path, []byte("old content, longer"), 0o644))
		}},
		{name: "empty data", perm: 0o640, data: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "out.txt")
			if tc.prepare != nil {
				tc.prepare(t, path)
			}
			require.NoError(t, WriteFile(path, []byte(tc.data), tc.perm))

			got, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, tc.data, string(got))
			st, err := os.Stat(path)
			require.NoError(t, err)
			assert.Equal(t, tc.perm, st.Mode().Perm())
			assert.Equal(t, []string{"out.txt"}, entries(t, dir), "no temp file left")
		})
	}
}

func TestWriteFileFailures(t *testing.T) {
	t.Run("missing directory", func(t *testing.T) {
		dir := t.TempDir()
		err := WriteFile(filepath.Join(dir, "nope", "x.txt"), []byte("x"), 0o644)
		require.Error(t, err)
		assert.True(t, errors.Is(err, fs.ErrNotExist), "got %v", err)
		assert.True(t, strings.HasPrefix(err.Error(), "atomicfile: "), "got %q", err)
		assert.Empty(t, entries(t, dir))
	})
	t.Run("rename over a non-empty directory", func(t *testing.T) {
		dir := t.TempDir()
		target := filepath.Join(dir, "target")
		require.NoError(t, os.MkdirAll(filepath.Join(target, "child"), 0o755))
		err := WriteFile(target, []byte("x"), 0o644)
		require.Error(t, err)
		assert.Equal(t, []string{"target"}, entries(t, dir), "temp file removed after failed rename")
		assert.DirExists(t, filepath.Join(target, "child"))
	})
}

func TestReplaceDir(t *testing.T) {
	build := func(content string) func(string) error {
		return func(tmp string) error {
			return WriteFile(filepath.Join(tmp, "a.txt"), []byte(content), 0o644)
		}
	}
	tests := []struct {
		name    string
		prepare func(t *testing.T, dst string)
	}{
		{name: "fresh destination"},
		{name: "replace existing directory", prepare: func(t *testing.T, dst string) {
			require.NoError(t, os.MkdirAll(filepath.Join(dst, "sub"), 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(dst, "stale.txt"), []byte("old"), 0o644))
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			parent := t.TempDir()
			dst := filepath.Join(parent, "report")
			if tc.prepare != nil {
				tc.prepare(t, dst)
			}
			require.NoError(t, ReplaceDir(dst, build("new")))

			assert.Equal(t, []string{"a.txt"}, entries(t, dst), "old content gone, new content in place")
			got, err := os.ReadFile(filepath.Join(dst, "a.txt"))
			require.NoError(t, err)
			assert.Equal(t, "new", string(got))
			st, err := os.Stat(dst)
			require.NoError(t, err)
			assert.Equal(t, os.FileMode(0o755), st.Mode().Perm())
			assert.Equal(t, []string{"report"}, entries(t, parent), "no staging dirs left")
		})
	}
}

func TestReplaceDirFailures(t *testing.T) {
	errBoom := errors.New("boom")
	tests := []struct {
		name     string
		existing bool
		build    func(tmp string) error
		wantErr  error
	}{
		{name: "build fails, no destination", build: func(string) error { return errBoom }, wantErr: errBoom},
		{name: "build fails midway, existing destination kept", existing: true, build: func(tmp string) error {
			if err := os.WriteFile(filepath.Join(tmp, "half.txt"), []byte("half"), 0o644); err != nil {
				return err
			}
			return errBoom
		}, wantErr: errBoom},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			parent := t.TempDir()
			dst := filepath.Join(parent, "report")
			if tc.existing {
				require.NoError(t, os.Mkdir(dst, 0o755))
				require.NoError(t, os.WriteFile(filepath.Join(dst, "keep.txt"), []byte("keep"), 0o644))
			}
			err := ReplaceDir(dst, tc.build)
			require.ErrorIs(t, err, tc.wantErr)

			if tc.existing {
				assert.Equal(t, []string{"report"}, entries(t, parent))
				assert.Equal(t, []string{"keep.txt"}, entries(t, dst), "destination untouched")
			} else {
				assert.Empty(t, entries(t, parent), "nothing created")
			}
		})
	}

	t.Run("build panics", func(t *testing.T) {
		parent := t.TempDir()
		dst := filepath.Join(parent, "report")
		assert.Panics(t, func() {
			_ = ReplaceDir(dst, func(string) error { panic("broken build") })
		})
		assert.Empty(t, entries(t, parent), "temp dir removed on panic")
	})
	t.Run("destination is a file", func(t *testing.T) {
		parent := t.TempDir()
		dst := filepath.Join(parent, "report")
		require.NoError(t, os.WriteFile(dst, []byte("file"), 0o644))
		called := false
		err := ReplaceDir(dst, func(string) error { called = true; return nil })
		require.ErrorIs(t, err, ErrNotDir)
		assert.False(t, called, "build not called")
		assert.Equal(t, []string{"report"}, entries(t, parent))
	})
	t.Run("missing parent", func(t *testing.T) {
		parent := t.TempDir()
		err := ReplaceDir(filepath.Join(parent, "no", "report"), func(string) error { return nil })
		require.ErrorIs(t, err, fs.ErrNotExist)
		assert.Empty(t, entries(t, parent))
	})
}

func ExampleReplaceDir() {
	parent, err := os.MkdirTemp("", "example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(parent)
	dst := filepath.Join(parent, "out")

	err = ReplaceDir(dst, func(tmp string) error {
		return WriteFile(filepath.Join(tmp, "hello.txt"), []byte("hi\n"), 0o644)
	})
	b, _ := os.ReadFile(filepath.Join(dst, "hello.txt"))
	fmt.Printf("err=%v content=%q\n", err, b)

	// A failing build leaves the published directory as it was.
	err = ReplaceDir(dst, func(string) error { return errors.New("disk full") })
	b, _ = os.ReadFile(filepath.Join(dst, "hello.txt"))
	fmt.Printf("err=%v content=%q\n", err, b)
	// Output:
	// err=<nil> content="hi\n"
	// err=disk full content="hi\n"
}

func TestCheckReplaceable(t *testing.T) {
	owned := func(name string) bool { return name == "m.json" || name == "model" }
	tests := []struct {
		name  string
		files []string // a name ending in "/" is a directory
		want  error
		msg   string // the message after "refusing to replace <dir>: "
	}{
		{"absent", nil, nil, ""},
		{"empty", []string{}, nil, ""},
		{"ours", []string{"m.json", "model/"}, nil, ""},
		{"no marker", []string{"model/"}, ErrForeign, "it has no m.json, the file that marks a folder deepfin wrote"},
		{"a user file beside ours", []string{"m.json", "notes.txt"}, ErrForeign, "it holds files deepfin would not write there: notes.txt"},
		{"user files without marker", []string{"thesis.tex", "model/", "data.csv"}, ErrForeign,
			"it holds files deepfin would not write there: data.csv, thesis.tex"},
		{"a user folder beside ours", []string{"m.json", "model/", "text-model/"}, ErrForeign,
			"it holds files deepfin would not write there: text-model/"},
		{"many user files", []string{"m.json", "a", "b", "c", "d", "e", "f", "g"}, ErrForeign,
			"it holds files deepfin would not write there: a, b, c, d, e and 2 more"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "d")
			if tt.files != nil {
				require.NoError(t, os.Mkdir(dir, 0o755))
			}
			for _, f := range tt.files {
				if strings.HasSuffix(f, "/") {
					require.NoError(t, os.Mkdir(filepath.Join(dir, f), 0o755))
					continue
				}
				require.NoError(t, os.WriteFile(filepath.Join(dir, f), nil, 0o644))
			}
			err := CheckReplaceable(dir, "m.json", owned)
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tt.want)
			require.ErrorIs(t, err, fs.ErrExist)
			var re *RefusedError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, tt.msg, re.Reason())
			assert.EqualError(t, err, "refusing to replace "+dir+": "+tt.msg)
			var names []string
			for _, f := range tt.files {
				names = append(names, strings.TrimSuffix(f, "/"))
			}
			assert.ElementsMatch(t, names, entries(t, dir), "nothing removed")
		})
	}
	file := filepath.Join(t.TempDir(), "f")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	err := CheckReplaceable(file, "m.json", owned)
	require.ErrorIs(t, err, ErrNotDir)
	require.ErrorIs(t, err, fs.ErrExist)
	assert.NotErrorIs(t, err, ErrForeign)
	assert.EqualError(t, err, "refusing to replace "+file+": it is not a directory")
}
