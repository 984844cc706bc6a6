// Package atomicfile writes files and whole directories so that a reader
// sees either the previous content or the complete new content, never a
// half-written mix.
//
// Both helpers stage their output beside the destination (in the same
// directory, hence on the same file system) and publish it with
// os.Rename, which is atomic on POSIX systems when source and target are
// on one file system. Staging names start with a dot and contain ".tmp-"
// or ".old-"; every failure path removes them.
//
// The package keeps no state and never prints.
package atomicfile
