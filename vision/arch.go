package vision

import "github.com/deepfin/deepfin/models"

// LeNet5 returns LeNet-5 for 1×28×28 input (MNIST) and the given number
// of classes: conv 6@5×5 with padding 2 (so that 28×28 stays 28×28, the
// size of LeCun's padded 32×32 input after its unpadded convolution),
// ReLU, 2×2 max pool → 6×14×14; conv 16@5×5, ReLU, 2×2 max pool →
// 16×5×5; flatten 400; dense 120, ReLU, dense 84, ReLU, dense classes
// (logits). It has 61,706 parameters for 10 classes.
func LeNet5(classes int) models.Spec {
	relu := models.LayerSpec{Type: models.LayerReLU}
	pool := models.LayerSpec{Type: models.LayerMaxPool2D, Kernel: []int{2}}
	return models.Spec{Input: []int{1, 28, 28}, Layers: []models.LayerSpec{
		{Type: models.LayerConv2D, Filters: 6, Kernel: []int{5}, Padding: []int{2}}, relu, pool,
		{Type: models.LayerConv2D, Filters: 16, Kernel: []int{5}}, relu, pool,
		{Type: models.LayerFlatten},
		{Type: models.LayerDense, Units: 120}, relu,
		{Type: models.LayerDense, Units: 84}, relu,
		{Type: models.LayerDense, Units: classes},
	}}
}
