// Package vision will hold deepfin's image side: IDX and image-folder
// datasets, image transforms, convolutional architectures (LeNet, ResNet) and
// OHLC chart images rendered from price bars.
//
// Nothing is implemented yet; the package exists so that the layout of the
// module matches its design. Tensors here will be float32, like models.
package vision
