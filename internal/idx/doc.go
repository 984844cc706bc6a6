// Package idx reads the IDX files of MNIST-style image datasets: a
// big-endian header (magic 0x00000803 for images, 0x00000801 for labels,
// then one uint32 per dimension) followed by uint8 values, optionally
// gzip-compressed. It is a minimal internal reader for benchmarks.
//
// Errors name the file and wrap ErrFormat when the content is not a
// well-formed IDX file of the expected kind.
package idx
