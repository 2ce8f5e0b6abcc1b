// The model's tag set and weight layout, shared by the trainer, the decoder and the run-time scorer.

export const TAGS = ['O', 'B-PER', 'I-PER', 'B-LOC', 'I-LOC', 'B-ORG', 'I-ORG'] as const;
export type Tag = (typeof TAGS)[number];
export const NUM_TAGS = TAGS.length;

export interface NerWeights {
  bits: number;
  /** buckets × NUM_TAGS emission weights (int16 × `scale` in a loaded model, float while training). */
  emit: Float32Array | Int16Array;
  scale: number;
  /** (NUM_TAGS + 1) × NUM_TAGS transition weights; row NUM_TAGS is the start state. */
  trans: Float32Array;
  /** Softmax temperature for span confidences, fitted on dev data by the trainer. */
  temperature: number;
  /** Per-tag score offset (a recall/precision knob per entity type), fitted on dev data by the trainer. */
  bias: Float32Array;
}
