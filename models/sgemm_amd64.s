#include "textflag.h"

// The 4×16 micro-kernels keep C's block in Y0–Y7 (two registers per
// row), load 16 values of B's row p into Y8–Y9 and broadcast one value
// of A per row of C. The macros below are their shared parts.

// Loads the arguments (byte strides in R8, R9, R10) and zeroes Y0–Y7.
#define GEMM_PROLOGUE \
	MOVQ k+0(FP), CX \
	MOVQ a+8(FP), SI \
	MOVQ lda+16(FP), R8 \
	MOVQ b+24(FP), DI \
	MOVQ ldb+32(FP), R9 \
	MOVQ c+40(FP), DX \
	MOVQ ldc+48(FP), R10 \
	SHLQ $2, R8 \
	SHLQ $2, R9 \
	SHLQ $2, R10 \
	VXORPS Y0, Y0, Y0 \
	VXORPS Y1, Y1, Y1 \
	VXORPS Y2, Y2, Y2 \
	VXORPS Y3, Y3, Y3 \
	VXORPS Y4, Y4, Y4 \
	VXORPS Y5, Y5, Y5 \
	VXORPS Y6, Y6, Y6 \
	VXORPS Y7, Y7, Y7

// Accumulates the row of B at DI times the four values of A at a0..a3.
#define GEMM_STEP(a0, a1, a2, a3) \
	VMOVUPS      (DI), Y8 \
	VMOVUPS      32(DI), Y9 \
	VBROADCASTSS a0, Y10 \
	VFMADD231PS  Y8, Y10, Y0 \
	VFMADD231PS  Y9, Y10, Y1 \
	VBROADCASTSS a1, Y11 \
	VFMADD231PS  Y8, Y11, Y2 \
	VFMADD231PS  Y9, Y11, Y3 \
	VBROADCASTSS a2, Y12 \
	VFMADD231PS  Y8, Y12, Y4 \
	VFMADD231PS  Y9, Y12, Y5 \
	VBROADCASTSS a3, Y13 \
	VFMADD231PS  Y8, Y13, Y6 \
	VFMADD231PS  Y9, Y13, Y7

// Adds Y0–Y7 to the 4×16 block of C at DX (rows R10 bytes apart).
#define GEMM_STORE \
	VADDPS  (DX), Y0, Y0 \
	VMOVUPS Y0, (DX) \
	VADDPS  32(DX), Y1, Y1 \
	VMOVUPS Y1, 32(DX) \
	ADDQ    R10, DX \
	VADDPS  (DX), Y2, Y2 \
	VMOVUPS Y2, (DX) \
	VADDPS  32(DX), Y3, Y3 \
	VMOVUPS Y3, 32(DX) \
	ADDQ    R10, DX \
	VADDPS  (DX), Y4, Y4 \
	VMOVUPS Y4, (DX) \
	VADDPS  32(DX), Y5, Y5 \
	VMOVUPS Y5, 32(DX) \
	ADDQ    R10, DX \
	VADDPS  (DX), Y6, Y6 \
	VMOVUPS Y6, (DX) \
	VADDPS  32(DX), Y7, Y7 \
	VMOVUPS Y7, 32(DX) \
	VZEROUPPER

// Loads the arguments of sgemv32 and sgemv8 (the byte stride of W in R9).
#define GEMV_PROLOGUE \
	MOVQ k+0(FP), CX \
	MOVQ x+8(FP), SI \
	MOVQ w+16(FP), DI \
	MOVQ ldw+24(FP), R9 \
	MOVQ y+32(FP), DX \
	SHLQ $2, R9

// func sgemm4x16(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int)
//
// C[0:4, 0:16] += A[0:4, 0:k] · B[0:k, 0:16], row-major with leading
// dimensions lda, ldb, ldc (in elements). Needs AVX2 and FMA.
TEXT ·sgemm4x16(SB), NOSPLIT, $0-56
	GEMM_PROLOGUE
	LEAQ (SI)(R8*1), R11
	LEAQ (R11)(R8*1), R12
	LEAQ (R12)(R8*1), R13
	TESTQ CX, CX
	JE    store

loop:
	GEMM_STEP((SI), (R11), (R12), (R13))
	ADDQ $4, SI
	ADDQ $4, R11
	ADDQ $4, R12
	ADDQ $4, R13
	ADDQ R9, DI
	DECQ CX
	JNZ  loop

store:
	GEMM_STORE
	RET

// func sgemm4x16T(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int)
//
// C[0:4, 0:16] += Σ_p A[p, 0:4]ᵀ · B[p, 0:16]: sgemm4x16 with the four
// values of A side by side in row p of A (stored k×4 or wider).
TEXT ·sgemm4x16T(SB), NOSPLIT, $0-56
	GEMM_PROLOGUE
	TESTQ CX, CX
	JE    storet

loopt:
	GEMM_STEP((SI), 4(SI), 8(SI), 12(SI))
	ADDQ R8, SI
	ADDQ R9, DI
	DECQ CX
	JNZ  loopt

storet:
	GEMM_STORE
	RET

// func sgemv32(k int, x *float32, w *float32, ldw int, y *float32)
//
// y[0:32] += Σ_p x[p]·W[p, 0:32], W row-major with leading dimension
// ldw (elements): four independent accumulator chains of 8 columns.
TEXT ·sgemv32(SB), NOSPLIT, $0-40
	GEMV_PROLOGUE
	VMOVUPS (DX), Y0
	VMOVUPS 32(DX), Y1
	VMOVUPS 64(DX), Y2
	VMOVUPS 96(DX), Y3
	TESTQ  CX, CX
	JE     gv32done

gv32loop:
	VBROADCASTSS (SI), Y8
	VFMADD231PS  (DI), Y8, Y0
	VFMADD231PS  32(DI), Y8, Y1
	VFMADD231PS  64(DI), Y8, Y2
	VFMADD231PS  96(DI), Y8, Y3
	ADDQ         $4, SI
	ADDQ         R9, DI
	DECQ         CX
	JNZ          gv32loop

gv32done:
	VMOVUPS Y0, (DX)
	VMOVUPS Y1, 32(DX)
	VMOVUPS Y2, 64(DX)
	VMOVUPS Y3, 96(DX)
	VZEROUPPER
	RET

// func sgemv8(k int, x *float32, w *float32, ldw int, y *float32)
//
// y[0:8] += Σ_p x[p]·W[p, 0:8], with two accumulator chains (even and
// odd p).
TEXT ·sgemv8(SB), NOSPLIT, $0-40
	GEMV_PROLOGUE
	VMOVUPS (DX), Y0
	VXORPS Y1, Y1, Y1
	CMPQ   CX, $2
	JL     gv8tail

gv8loop:
	VBROADCASTSS (SI), Y8
	VFMADD231PS  (DI), Y8, Y0
	ADDQ         R9, DI
	VBROADCASTSS 4(SI), Y9
	VFMADD231PS  (DI), Y9, Y1
	ADDQ         R9, DI
	ADDQ         $8, SI
	SUBQ         $2, CX
	CMPQ         CX, $2
	JGE          gv8loop

gv8tail:
	TESTQ CX, CX
	JE    gv8done
	VBROADCASTSS (SI), Y8
	VFMADD231PS  (DI), Y8, Y0

gv8done:
	VADDPS  Y1, Y0, Y0
	VMOVUPS Y0, (DX)
	VZEROUPPER
	RET

// func act8(dst, src *float32, n8 int, tbl *float32)
//
// dst[i] = a·σ(k·src[i]) + b for 8·n8 values, with e^x from the same
// range reduction and degree-6 polynomial as exp32 (in float32). tbl
// holds 13 vectors of 8 values: −k·log2(e), −126, 126, ln 2, 1/720,
// 1/120, 1/24, 1/6, 1/2, 1, a, b, and the int32 exponent bias 127.
// Needs AVX2 and FMA.
TEXT ·act8(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n8+16(FP), CX
	MOVQ tbl+24(FP), R8
	TESTQ CX, CX
	JE    done

loop:
	VMOVUPS     (SI), Y0
	VMULPS      (R8), Y0, Y0
	VMAXPS      32(R8), Y0, Y0
	VMINPS      64(R8), Y0, Y0
	VROUNDPS    $0, Y0, Y1
	VSUBPS      Y1, Y0, Y2
	VMULPS      96(R8), Y2, Y2
	VMOVUPS     128(R8), Y3
	VFMADD213PS 160(R8), Y2, Y3
	VFMADD213PS 192(R8), Y2, Y3
	VFMADD213PS 224(R8), Y2, Y3
	VFMADD213PS 256(R8), Y2, Y3
	VFMADD213PS 288(R8), Y2, Y3
	VFMADD213PS 288(R8), Y2, Y3
	VCVTPS2DQ   Y1, Y4
	VPADDD      384(R8), Y4, Y4
	VPSLLD      $23, Y4, Y4
	VMULPS      Y4, Y3, Y3
	VADDPS      288(R8), Y3, Y3
	VMOVUPS     288(R8), Y0
	VDIVPS      Y3, Y0, Y0
	VMOVUPS     320(R8), Y1
	VFMADD213PS 352(R8), Y1, Y0
	VMOVUPS     Y0, (DI)
	ADDQ        $32, SI
	ADDQ        $32, DI
	DECQ        CX
	JNZ         loop

done:
	VZEROUPPER
	RET

// func lstmBack8(p *lstmBackArgs, n8 int)
//
// The LSTM gate gradients of one row for 8·n8 units (see lstmBack in
// recurrent_kernel.go): with i, f, g, o the gate activations, tc =
// tanh(c), cp the previous cell (zeros at t = 0), dh and dc the running
// gradients,
//
//	dcj = dc + dh·o·(1 − tc²)
//	dai = dcj·g·i·(1 − i),  daf = dcj·cp·f·(1 − f)
//	dag = dcj·i·(1 − g²),   dao = dh·tc·o·(1 − o),  dc = dcj·f
//
// Needs AVX2 and FMA.
TEXT ·lstmBack8(SB), NOSPLIT, $0-16
	MOVQ p+0(FP), AX
	MOVQ n8+8(FP), CX
	MOVQ 0(AX), R8   // a: i, f, g, o blocks
	MOVQ 8(AX), R9   // tc
	MOVQ 16(AX), R10 // cp
	MOVQ 24(AX), R11 // dh
	MOVQ 32(AX), R12 // dc (in and out)
	MOVQ 40(AX), R13 // da: i, f, g, o blocks
	MOVQ 48(AX), SI  // h·4 bytes: the gate block stride
	MOVL $0x3f800000, DX
	VMOVD DX, X15
	VPBROADCASTD X15, Y15 // 1.0
	TESTQ CX, CX
	JE    done

loop:
	VMOVUPS (R8), Y0             // i
	VMOVUPS (R8)(SI*1), Y1      // f
	LEAQ    (R8)(SI*2), BX
	VMOVUPS (BX), Y2             // g
	VMOVUPS (BX)(SI*1), Y3      // o
	VMOVUPS (R9), Y4             // tc
	VMOVUPS (R11), Y5            // dh
	VMOVUPS (R12), Y6            // dc

	// dcj = dc + dh·o·(1 − tc²)
	VMULPS      Y4, Y4, Y7
	VSUBPS      Y7, Y15, Y7      // 1 − tc²
	VMULPS      Y5, Y3, Y8       // dh·o
	VFMADD231PS Y8, Y7, Y6       // Y6 = dcj

	// dao = dh·tc·o·(1 − o)
	VSUBPS      Y3, Y15, Y9      // 1 − o
	VMULPS      Y8, Y4, Y8       // dh·o·tc
	VMULPS      Y9, Y8, Y8
	LEAQ        (R13)(SI*2), DX
	VMOVUPS     Y8, (DX)(SI*1)

	// dag = dcj·i·(1 − g²)
	VMULPS      Y2, Y2, Y9
	VSUBPS      Y9, Y15, Y9
	VMULPS      Y6, Y0, Y10      // dcj·i
	VMULPS      Y9, Y10, Y9
	VMOVUPS     Y9, (DX)

	// dai = dcj·g·i·(1 − i)
	VSUBPS      Y0, Y15, Y9      // 1 − i
	VMULPS      Y10, Y2, Y10     // dcj·i·g
	VMULPS      Y9, Y10, Y10
	VMOVUPS     Y10, (R13)

	// daf = dcj·cp·f·(1 − f)
	VMOVUPS     (R10), Y11       // cp
	VSUBPS      Y1, Y15, Y9      // 1 − f
	VMULPS      Y6, Y11, Y11
	VMULPS      Y1, Y11, Y11
	VMULPS      Y9, Y11, Y11
	VMOVUPS     Y11, (R13)(SI*1)

	// dc = dcj·f
	VMULPS      Y1, Y6, Y6
	VMOVUPS     Y6, (R12)

	ADDQ $32, R8
	ADDQ $32, R9
	ADDQ $32, R10
	ADDQ $32, R11
	ADDQ $32, R12
	ADDQ $32, R13
	DECQ CX
	JNZ  loop

done:
	VZEROUPPER
	RET
