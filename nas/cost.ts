/**
 * Counting convention for every search space (README, "Counting"):
 * - params: every trainable parameter of the stand-alone network: conv and
 *   linear weights and biases, BN gamma and beta; not running statistics;
 * - MACs: multiply-accumulates of conv and linear layers per image (bias
 *   additions, BN, activations, pooling and residual sums not counted; the
 *   1x1 convs of squeeze-and-excitation counted);
 * - NAS-Bench-201's FLOPs: MACs plus the classifier's bias additions, in millions.
 */
export interface Cost {
  params: number;
  macs: number;
  /** NAS-Bench-201's FLOPs convention, in millions. */
  nb201Mflops: number;
}

/** Accumulates the cost of layers one by one. */
export class CostCounter {
  params = 0;
  macs = 0;
  private classifierBias = 0;

  /** A k x k convolution at an output resolution of `pixels`, with optional bias and BN. */
  conv(cin: number, cout: number, k: number, pixels: number, o: { groups?: number; bias?: boolean; bn?: boolean } = {}): this {
    const groups = o.groups ?? 1;
    const weights = (cin / groups) * cout * k * k;
    this.params += weights + (o.bias ? cout : 0) + (o.bn ? 2 * cout : 0);
    this.macs += weights * pixels;
    return this;
  }

  bn(channels: number): this {
    this.params += 2 * channels;
    return this;
  }

  /** The classifier: a linear layer with bias, whose bias additions NAS-Bench-201 counts as FLOPs. */
  classifier(features: number, classes: number): this {
    this.params += features * classes + classes;
    this.macs += features * classes;
    this.classifierBias += classes;
    return this;
  }

  result(): Cost {
    return { params: this.params, macs: this.macs, nb201Mflops: (this.macs + this.classifierBias) / 1e6 };
  }
}
