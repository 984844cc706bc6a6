package vision

import (
	"fmt"

	"github.com/deepfin/deepfin/models"
)

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

// ResNetConfig configures ResNet.
type ResNetConfig struct {
	// Depth is 18 or 34 (basic blocks) or 50 (bottleneck blocks).
	Depth int
	// Classes is the number of outputs (> 0).
	Classes int
	// Input is the [channels, height, width] input shape; nil means
	// [3, 224, 224].
	Input []int
	// SmallStem replaces the ImageNet stem (7×7 stride-2 convolution and
	// 3×3 stride-2 max pool) by one 3×3 stride-1 convolution, for small
	// images such as 28×28.
	SmallStem bool
}

// ResNet returns the residual network of He et al. (2016), "Deep Residual
// Learning for Image Recognition", as torchvision builds it: batch norm
// after every convolution, convolutions without bias, the stride of a
// bottleneck block on its 3×3 convolution, and 1×1 projection shortcuts
// (with batch norm) where the shape changes. ResNet-50 for 1000 classes
// has 25,557,032 parameters. An unsupported depth or a non-positive class
// count gives an error.
func ResNet(cfg ResNetConfig) (models.Spec, error) {
	var blocks []int
	bottleneck := false
	switch cfg.Depth {
	case 18:
		blocks = []int{2, 2, 2, 2}
	case 34:
		blocks = []int{3, 4, 6, 3}
	case 50:
		blocks = []int{3, 4, 6, 3}
		bottleneck = true
	default:
		return models.Spec{}, fmt.Errorf("vision: resnet depth %d, want 18, 34 or 50", cfg.Depth)
	}
	if cfg.Classes <= 0 {
		return models.Spec{}, fmt.Errorf("vision: resnet classes %d, want > 0", cfg.Classes)
	}
	in := cfg.Input
	if in == nil {
		in = []int{3, 224, 224}
	}
	conv := func(filters, k, stride int) models.LayerSpec {
		return models.LayerSpec{Type: models.LayerConv2D, Filters: filters, Kernel: []int{k}, Stride: []int{stride}, Padding: []int{k / 2}, NoBias: true}
	}
	bn := models.LayerSpec{Type: models.LayerBatchNorm}
	relu := models.LayerSpec{Type: models.LayerReLU}

	var layers []models.LayerSpec
	if cfg.SmallStem {
		layers = append(layers, conv(64, 3, 1), bn, relu)
	} else {
		layers = append(layers, conv(64, 7, 2), bn, relu,
			models.LayerSpec{Type: models.LayerMaxPool2D, Kernel: []int{3}, Stride: []int{2}, Padding: []int{1}})
	}
	channels := 64
	for stage, n := range blocks {
		width := 64 << stage
		for i := 0; i < n; i++ {
			stride := 1
			if stage > 0 && i == 0 {
				stride = 2
			}
			var branch []models.LayerSpec
			out := width
			if bottleneck {
				out = 4 * width
				branch = []models.LayerSpec{conv(width, 1, 1), bn, relu, conv(width, 3, stride), bn, relu, conv(out, 1, 1), bn}
			} else {
				branch = []models.LayerSpec{conv(width, 3, stride), bn, relu, conv(width, 3, 1), bn}
			}
			block := models.LayerSpec{Type: models.LayerResidual, Branch: branch}
			if stride != 1 || channels != out {
				block.Shortcut = []models.LayerSpec{conv(out, 1, stride), bn}
			}
			layers = append(layers, block, relu)
			channels = out
		}
	}
	layers = append(layers, models.LayerSpec{Type: models.LayerGlobalAvgPool}, models.LayerSpec{Type: models.LayerDense, Units: cfg.Classes})
	return models.Spec{Input: append([]int(nil), in...), Layers: layers}, nil
}
