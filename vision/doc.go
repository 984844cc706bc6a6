// Package vision is deepfin's image side: IDX (MNIST) and image-folder
// datasets, convolutional reference architectures (LeNet-5, ResNet) built
// as models.Spec values, and OHLC chart images rendered from price bars.
//
// Images are float32 and channel-major (C×H×W, row-major within a
// channel), the layout models' image layers use. Class labels are 0-based
// indices stored as float32, the form models' softmax_ce loss accepts.
//
// Errors about files are *FileError values naming the file and wrapping
// ErrFormat (not a valid IDX file or image) or ErrMismatch. Nothing here
// prints or logs.
package vision
