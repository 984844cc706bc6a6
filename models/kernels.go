package models

import (
	"math"
	"runtime"
	"sync"

	"gonum.org/v1/gonum/blas/gonum"
)

// This file holds the plain-Go compute kernels of the image layers, used
// both by the gorgonia ops (training and Model.Predict) and by the
// Predictor. Every kernel works on one sample laid out channel-major
// (C×H×W, row-major within a channel), for float32 and float64 alike.

// float is the element type of a kernel: float32 in training, float64 in
// the gradient checks.
type float interface{ ~float32 | ~float64 }

// convGeom is the geometry of a conv2d or pooling layer: input c×h×w,
// output f×oh×ow, kernel kh×kw, stride sh×sw, padding ph×pw, dilation
// dh×dw. Pooling layers have f = c.
type convGeom struct {
	c, h, w, f     int
	kh, kw, sh, sw int
	ph, pw, dh, dw int
	oh, ow         int
}

func (g convGeom) inSize() int  { return g.c * g.h * g.w }
func (g convGeom) outSize() int { return g.f * g.oh * g.ow }
func (g convGeom) k() int       { return g.c * g.kh * g.kw }
func (g convGeom) ohw() int     { return g.oh * g.ow }

// direct reports that the im2col matrix of the input is the input itself
// (a 1×1 convolution with stride 1 and no padding).
func (g convGeom) direct() bool {
	return g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.ph == 0 && g.pw == 0
}

// gemm computes c = op(a)·op(b) + beta·c for row-major matrices, op(a)
// m×k and op(b) k×n, serially (callers split the work over goroutines;
// gonum's Sgemm would start goroutines of its own inside theirs). It is
// the one matrix product of the package: float32 with b untransposed runs
// on the AVX2/FMA micro-kernel (sgemmN) when there is a whole 4×16 block,
// everything else on full-length level-1 calls (gonum's assembly axpy and
// dot). ta and tb must not both be set.
func gemm[T float](ta, tb bool, m, n, k int, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if beta != 1 {
		for i := 0; i < m; i++ {
			row := c[i*ldc : i*ldc+n]
			if beta == 0 {
				clear(row)
			} else {
				for j := range row {
					row[j] *= beta
				}
			}
		}
	}
	// float32 products with b untransposed run on the AVX2/FMA
	// micro-kernel when there is at least one 4×16 block.
	if !tb && m >= 4 && n >= 16 && fast32[T]() {
		sgemmN(ta, m, n, k, asF32(a), lda, asF32(b), ldb, asF32(c), ldc)
		return
	}
	// Thin products (n small against k and m, as in the deep layers of a
	// ResNet, whose feature maps are a few pixels) would make millions of
	// calls on short vectors; they are reoriented on transposed copies so
	// that the inner vectors are k or m long instead.
	if n < thinCols && k >= thinCols {
		switch {
		case !ta && !tb: // c[i,j] += a_i · bᵀ_j
			bt := transposed(b, ldb, k, n)
			for i := 0; i < m; i++ {
				ai := a[i*lda : i*lda+k]
				for j := 0; j < n; j++ {
					c[i*ldc+j] += dot(ai, bt[j*k:(j+1)*k])
				}
			}
			return
		case ta && !tb: // c[i,j] += aᵀ_i · bᵀ_j (a is k×m)
			at, bt := transposed(a, lda, k, m), transposed(b, ldb, k, n)
			for i := 0; i < m; i++ {
				ai := at[i*k : (i+1)*k]
				for j := 0; j < n; j++ {
					c[i*ldc+j] += dot(ai, bt[j*k:(j+1)*k])
				}
			}
			return
		}
	}
	if !ta && tb && k < thinCols && n >= thinCols {
		// c_i += Σ_l a[i,l]·bᵀ_l, with bᵀ (k×n) rows n long.
		bt := transposed(b, ldb, n, k)
		for i := 0; i < m; i++ {
			ci := c[i*ldc : i*ldc+n]
			for l, av := range a[i*lda : i*lda+k] {
				if av != 0 {
					axpy(av, bt[l*n:(l+1)*n], ci)
				}
			}
		}
		return
	}

	// The long dimension (n, or k for a·bᵀ) is cut into blocks of
	// gemmBlock columns so that the slices of b and c being combined stay
	// in cache while every row of a passes over them.
	switch {
	case !ta && !tb: // c_i += Σ_l a[i,l]·b_l
		for j0 := 0; j0 < n; j0 += gemmBlock {
			j1 := min(j0+gemmBlock, n)
			for i := 0; i < m; i++ {
				ci := c[i*ldc+j0 : i*ldc+j1]
				for l, av := range a[i*lda : i*lda+k] {
					if av != 0 {
						axpy(av, b[l*ldb+j0:l*ldb+j1], ci)
					}
				}
			}
		}
	case ta && !tb: // c_i += Σ_l a[l,i]·b_l
		for j0 := 0; j0 < n; j0 += gemmBlock {
			j1 := min(j0+gemmBlock, n)
			for l := 0; l < k; l++ {
				bl := b[l*ldb+j0 : l*ldb+j1]
				for i, av := range a[l*lda : l*lda+m] {
					if av != 0 {
						axpy(av, bl, c[i*ldc+j0:i*ldc+j1])
					}
				}
			}
		}
	case !ta && tb: // c[i,j] += a_i·b_j
		for l0 := 0; l0 < k; l0 += gemmBlock {
			l1 := min(l0+gemmBlock, k)
			for i := 0; i < m; i++ {
				ai := a[i*lda+l0 : i*lda+l1]
				ci := c[i*ldc : i*ldc+n]
				for j := range ci {
					ci[j] += dot(ai, b[j*ldb+l0:j*ldb+l1])
				}
			}
		}
	default:
		panic("models: internal error: gemm with both operands transposed")
	}
}

// gemmBlock is the column block of gemm, in elements.
const gemmBlock = 512

// thinCols is the inner-vector length below which gemm reorients a
// product.
const thinCols = 128

// transposed returns the c×r transpose of the r×c matrix x (rows ld apart).
func transposed[T float](x []T, ld, r, c int) []T {
	t := make([]T, r*c)
	for i := 0; i < r; i++ {
		for j, v := range x[i*ld : i*ld+c] {
			t[j*r+i] = v
		}
	}
	return t
}

// transposeTile is the side of the square tiles transposeRows walks.
const transposeTile = 32

// transposeBlocked writes the transpose of src (rows×cols, row-major)
// into dst (cols×rows), with the row tiles split over the workers.
func transposeBlocked[T float](dst, src []T, rows, cols int) {
	parFor((rows+transposeTile-1)/transposeTile, func(_, lo, hi int) {
		transposeRows(dst, src, rows, cols, lo*transposeTile, min(hi*transposeTile, rows))
	})
}

// transposeRows writes rows [r0, r1) of src (rows×cols, row-major) into
// their columns of dst (cols×rows), in square tiles so that both sides are
// walked a few cache lines at a time.
func transposeRows[T float](dst, src []T, rows, cols, r0, r1 int) {
	for i0 := r0; i0 < r1; i0 += transposeTile {
		i1 := min(i0+transposeTile, r1)
		for j0 := 0; j0 < cols; j0 += transposeTile {
			j1 := min(j0+transposeTile, cols)
			for i := i0; i < i1; i++ {
				for j, v := range src[i*cols+j0 : i*cols+j1] {
					dst[(j0+j)*rows+i] = v
				}
			}
		}
	}
}

// axpy adds alpha·x to y (equal lengths).
func axpy[T float](alpha T, x, y []T) {
	switch x := any(x).(type) {
	case []float32:
		gonum.Implementation{}.Saxpy(len(x), float32(alpha), x, 1, any(y).([]float32), 1)
	case []float64:
		gonum.Implementation{}.Daxpy(len(x), float64(alpha), x, 1, any(y).([]float64), 1)
	}
}

// dot returns x·y (equal lengths).
func dot[T float](x, y []T) T {
	switch x := any(x).(type) {
	case []float32:
		return T(gonum.Implementation{}.Sdot(len(x), x, 1, any(y).([]float32), 1))
	case []float64:
		return T(gonum.Implementation{}.Ddot(len(x), x, 1, any(y).([]float64), 1))
	}
	return 0
}

// scratch returns *p as a []T of length n, reallocating when it is too
// short or of another type.
func scratch[T float](p *any, n int) []T {
	s, _ := (*p).([]T)
	if cap(s) < n {
		s = make([]T, n)
		*p = s
	}
	return s[:n]
}

// parFor splits [0, n) into one contiguous range per worker (at most
// GOMAXPROCS) and runs fn on each concurrently; fn gets the worker index.
func parFor(n int, fn func(worker, lo, hi int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		fn(0, 0, n)
		return
	}
	var wg sync.WaitGroup
	for wi := 0; wi < workers; wi++ {
		lo, hi := wi*n/workers, (wi+1)*n/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(wi, lo, hi)
		}()
	}
	wg.Wait()
}

// numWorkers is the number of workers parFor uses for n items.
func numWorkers(n int) int { return max(1, min(runtime.GOMAXPROCS(0), n)) }

// validRange returns the output positions o in [0, n) for which
// o·stride + off falls inside [0, size).
func validRange(n, stride, off, size int) (lo, hi int) {
	lo, hi = 0, n
	if off < 0 {
		lo = (-off + stride - 1) / stride
	}
	if last := (size - 1 - off); last < 0 {
		return 0, 0
	} else if h := last/stride + 1; h < hi {
		hi = h
	}
	if lo > hi {
		lo = hi
	}
	return lo, hi
}

// im2col writes the k×ohw patch matrix of one sample x into cols, whose
// rows are ld apart (ld >= ohw: several samples can share the rows); row
// (c, i, j) holds input (c, oy·sh − ph + i·dh, ox·sw − pw + j·dw) at
// column oy·ow + ox, zero where it falls in the padding.
func im2col[T float](cols []T, ld int, x []T, g convGeom) {
	ohw := g.ohw()
	r := 0
	for c := 0; c < g.c; c++ {
		xc := x[c*g.h*g.w : (c+1)*g.h*g.w]
		for i := 0; i < g.kh; i++ {
			di := i*g.dh - g.ph
			ylo, yhi := validRange(g.oh, g.sh, di, g.h)
			for j := 0; j < g.kw; j++ {
				dj := j*g.dw - g.pw
				xlo, xhi := validRange(g.ow, g.sw, dj, g.w)
				row := cols[r*ld : r*ld+ohw]
				r++
				clear(row[:ylo*g.ow])
				clear(row[yhi*g.ow:])
				for oy := ylo; oy < yhi; oy++ {
					src := xc[(oy*g.sh+di)*g.w : (oy*g.sh+di+1)*g.w]
					dst := row[oy*g.ow : (oy+1)*g.ow]
					clear(dst[:xlo])
					clear(dst[xhi:])
					if g.sw == 1 {
						copy(dst[xlo:xhi], src[xlo+dj:xhi+dj])
					} else {
						for ox := xlo; ox < xhi; ox++ {
							dst[ox] = src[ox*g.sw+dj]
						}
					}
				}
			}
		}
	}
}

// col2im adds the patch matrix cols (rows ld apart) back onto dx (the
// adjoint of im2col).
func col2im[T float](dx, cols []T, ld int, g convGeom) {
	ohw := g.ohw()
	r := 0
	for c := 0; c < g.c; c++ {
		xc := dx[c*g.h*g.w : (c+1)*g.h*g.w]
		for i := 0; i < g.kh; i++ {
			di := i*g.dh - g.ph
			ylo, yhi := validRange(g.oh, g.sh, di, g.h)
			for j := 0; j < g.kw; j++ {
				dj := j*g.dw - g.pw
				xlo, xhi := validRange(g.ow, g.sw, dj, g.w)
				row := cols[r*ld : r*ld+ohw]
				r++
				for oy := ylo; oy < yhi; oy++ {
					dst := xc[(oy*g.sh+di)*g.w : (oy*g.sh+di+1)*g.w]
					src := row[oy*g.ow : (oy+1)*g.ow]
					if g.sw == 1 {
						d := dst[xlo+dj : xhi+dj]
						for ox, v := range src[xlo:xhi] {
							d[ox] += v
						}
					} else {
						for ox := xlo; ox < xhi; ox++ {
							dst[ox*g.sw+dj] += src[ox]
						}
					}
				}
			}
		}
	}
}

// convForward computes one sample's convolution y (f×ohw) of x with
// kernel w (f×k) and bias b (f values, or nil); cols is k×ohw scratch
// that holds x's patch matrix afterwards (unused when g.direct()).
func convForward[T float](y, x, w, b, cols []T, g convGeom) {
	src := x
	if !g.direct() {
		im2col(cols, g.ohw(), x, g)
		src = cols
	}
	ohw, k := g.ohw(), g.k()
	gemm(false, false, g.f, ohw, k, w, k, src, ohw, 0, y, ohw)
	if b != nil {
		for f, bv := range b[:g.f] {
			row := y[f*ohw : (f+1)*ohw]
			for i := range row {
				row[i] += bv
			}
		}
	}
}

// maxPoolForward writes one sample's max pooling of x into y and the
// index in x of each maximum into arg.
func maxPoolForward[T float](y, x []T, arg []int32, g convGeom) {
	if g.kh == 2 && g.kw == 2 && g.sh == 2 && g.sw == 2 && g.ph == 0 && g.pw == 0 {
		maxPool2x2(y, x, arg, g)
		return
	}
	o := 0
	for c := 0; c < g.c; c++ {
		base := c * g.h * g.w
		for oy := 0; oy < g.oh; oy++ {
			for ox := 0; ox < g.ow; ox++ {
				best, at := T(math.Inf(-1)), int32(-1)
				for i := 0; i < g.kh; i++ {
					iy := oy*g.sh - g.ph + i
					if iy < 0 || iy >= g.h {
						continue
					}
					for j := 0; j < g.kw; j++ {
						ix := ox*g.sw - g.pw + j
						if ix < 0 || ix >= g.w {
							continue
						}
						idx := base + iy*g.w + ix
						if v := x[idx]; v > best || at < 0 {
							best, at = v, int32(idx)
						}
					}
				}
				y[o], arg[o] = best, at
				o++
			}
		}
	}
}

// maxPool2x2 is maxPoolForward for 2×2 windows with stride 2 and no
// padding.
func maxPool2x2[T float](y, x []T, arg []int32, g convGeom) {
	o := 0
	for c := 0; c < g.c; c++ {
		base := c * g.h * g.w
		for oy := 0; oy < g.oh; oy++ {
			r0 := base + 2*oy*g.w
			r1 := r0 + g.w
			for ox := 0; ox < g.ow; ox++ {
				i := r0 + 2*ox
				best, at := x[i], i
				if v := x[i+1]; v > best {
					best, at = v, i+1
				}
				if v := x[r1+2*ox]; v > best {
					best, at = v, r1+2*ox
				}
				if v := x[r1+2*ox+1]; v > best {
					best, at = v, r1+2*ox+1
				}
				y[o], arg[o] = best, int32(at)
				o++
			}
		}
	}
}

// maxPoolBackward writes one sample's input gradient into dx.
func maxPoolBackward[T float](dx, dy []T, arg []int32) {
	clear(dx)
	for o, v := range dy {
		dx[arg[o]] += v
	}
}

// avgPoolForward writes one sample's average pooling of x into y; the
// divisor is always kh·kw (padding counts as zeros).
func avgPoolForward[T float](y, x []T, g convGeom) {
	inv := 1 / T(g.kh*g.kw)
	o := 0
	for c := 0; c < g.c; c++ {
		xc := x[c*g.h*g.w:]
		for oy := 0; oy < g.oh; oy++ {
			ylo, yhi := max(0, oy*g.sh-g.ph), min(g.h, oy*g.sh-g.ph+g.kh)
			for ox := 0; ox < g.ow; ox++ {
				xlo, xhi := max(0, ox*g.sw-g.pw), min(g.w, ox*g.sw-g.pw+g.kw)
				var s T
				for iy := ylo; iy < yhi; iy++ {
					for _, v := range xc[iy*g.w+xlo : iy*g.w+xhi] {
						s += v
					}
				}
				y[o] = s * inv
				o++
			}
		}
	}
}

// avgPoolBackward writes one sample's input gradient into dx.
func avgPoolBackward[T float](dx, dy []T, g convGeom) {
	clear(dx)
	inv := 1 / T(g.kh*g.kw)
	o := 0
	for c := 0; c < g.c; c++ {
		xc := dx[c*g.h*g.w:]
		for oy := 0; oy < g.oh; oy++ {
			ylo, yhi := max(0, oy*g.sh-g.ph), min(g.h, oy*g.sh-g.ph+g.kh)
			for ox := 0; ox < g.ow; ox++ {
				xlo, xhi := max(0, ox*g.sw-g.pw), min(g.w, ox*g.sw-g.pw+g.kw)
				v := dy[o] * inv
				o++
				for iy := ylo; iy < yhi; iy++ {
					row := xc[iy*g.w+xlo : iy*g.w+xhi]
					for k := range row {
						row[k] += v
					}
				}
			}
		}
	}
}

// bnEval applies batch normalisation with fixed statistics to rows of x
// (each c×hw) into y: y = γ·(x − mean)/√(var + eps) + β.
func bnEval[T float, S float](y, x []T, gamma, beta []T, mean, variance []S, c, hw int, eps float64) {
	for n := 0; n < len(x)/(c*hw); n++ {
		for ch := 0; ch < c; ch++ {
			sc := float64(gamma[ch]) / math.Sqrt(float64(variance[ch])+eps)
			sh := float64(beta[ch]) - sc*float64(mean[ch])
			off := (n*c + ch) * hw
			for i, v := range x[off : off+hw] {
				y[off+i] = T(sc*float64(v) + sh)
			}
		}
	}
}

// bnTrain normalises the batch x (rows × c × hw, of which the first real
// rows define the statistics) into y and xhat, stores 1/√(var + eps) per
// channel in invstd and returns through mean and variance the batch
// mean and biased variance.
func bnTrain[T float](y, xhat, x, gamma, beta []T, invstd, mean, variance []float64, real, c, hw int, eps float64) {
	rows := len(x) / (c * hw)
	m := float64(real * hw)
	for ch := 0; ch < c; ch++ {
		var s float64
		for n := 0; n < real; n++ {
			off := (n*c + ch) * hw
			for _, v := range x[off : off+hw] {
				s += float64(v)
			}
		}
		mu := s / m
		var ss float64
		for n := 0; n < real; n++ {
			off := (n*c + ch) * hw
			for _, v := range x[off : off+hw] {
				d := float64(v) - mu
				ss += d * d
			}
		}
		vr := ss / m
		is := 1 / math.Sqrt(vr+eps)
		mean[ch], variance[ch], invstd[ch] = mu, vr, is
		g, b := float64(gamma[ch]), float64(beta[ch])
		for n := 0; n < rows; n++ {
			off := (n*c + ch) * hw
			for i, v := range x[off : off+hw] {
				xh := (float64(v) - mu) * is
				xhat[off+i] = T(xh)
				y[off+i] = T(g*xh + b)
			}
		}
	}
}

// bnGrad computes the gradients of batch normalisation in training mode
// from the output gradient dy: dx (rows past real get zero), dgamma and
// dbeta (each c values); any of them may be nil.
func bnGrad[T float](dx, dgamma, dbeta, dy, xhat, gamma []T, invstd []float64, rows, real, c, hw int) {
	m := float64(real * hw)
	for ch := 0; ch < c; ch++ {
		var sdy, sdyx float64
		for n := 0; n < real; n++ {
			off := (n*c + ch) * hw
			xh := xhat[off : off+hw]
			for i, v := range dy[off : off+hw] {
				sdy += float64(v)
				sdyx += float64(v) * float64(xh[i])
			}
		}
		if dgamma != nil {
			dgamma[ch] = T(sdyx)
		}
		if dbeta != nil {
			dbeta[ch] = T(sdy)
		}
		if dx == nil {
			continue
		}
		g := float64(gamma[ch])
		k := g * invstd[ch]
		a, bb := sdy/m, sdyx/m
		for n := 0; n < rows; n++ {
			off := (n*c + ch) * hw
			d := dx[off : off+hw]
			if n >= real {
				clear(d)
				continue
			}
			xh := xhat[off : off+hw]
			for i, v := range dy[off : off+hw] {
				d[i] = T(k * (float64(v) - a - float64(xh[i])*bb))
			}
		}
	}
}
