package vision_test

import (
	"fmt"

	"github.com/deepfin/deepfin/models"
	"github.com/deepfin/deepfin/vision"
)

// LeNet-5 and ResNet-50 are plain models.Spec values.
func Example() {
	lenet, _ := models.New(vision.LeNet5(10), 1)
	spec, _ := vision.ResNet(vision.ResNetConfig{Depth: 50, Classes: 1000})
	resnet, _ := models.New(spec, 1)
	fmt.Println("LeNet-5 parameters:", lenet.NumParams())
	fmt.Println("ResNet-50 parameters:", resnet.NumParams())
	// Output:
	// LeNet-5 parameters: 61706
	// ResNet-50 parameters: 25557032
}

// A 5-day chart of constant bars (open 1, high 2, low 0.5, close 1.5) and
// rising volume: a 7-row price area (row = round((2 − p)/1.5·6): close at
// row 2, open at row 4), a blank row, and 2 rows of volume bars scaled by
// the largest volume (round(v/5·2) rows: 0, 1, 1, 2, 2).
func ExampleRenderChart() {
	s := &vision.OHLCV{Ticker: "X",
		Open: []float64{1, 1, 1, 1, 1}, High: []float64{2, 2, 2, 2, 2},
		Low: []float64{0.5, 0.5, 0.5, 0.5, 0.5}, Close: []float64{1.5, 1.5, 1.5, 1.5, 1.5},
		Volume: []float64{1, 2, 3, 4, 5}}
	c := vision.ChartConfig{Days: 5, Height: 10}
	img := make([]uint8, c.Height*c.Width())
	if err := vision.RenderChart(img, s, 4, c); err != nil {
		fmt.Println(err)
		return
	}
	for y := 0; y < c.Height; y++ {
		for x := 0; x < c.Width(); x++ {
			if img[y*c.Width()+x] > 0 {
				fmt.Print("#")
			} else {
				fmt.Print(".")
			}
		}
		fmt.Println()
	}
	// Output:
	// .#..#..#..#..#.
	// .#..#..#..#..#.
	// .##.##.##.##.##
	// .#..#..#..#..#.
	// ##.##.##.##.##.
	// .#..#..#..#..#.
	// .#..#..#..#..#.
	// ...............
	// ..........#..#.
	// ....#..#..#..#.
}
