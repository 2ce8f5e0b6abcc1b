// Per-agent hourly view baseline: an exponentially weighted mean and variance over active hours,
// three numbers per agent however long the history. Hours that raised an alert are not learned,
// so an insider cannot slowly teach the model that bulk reading is normal by tripping it.
import type { RuleParams } from './types.ts';

const HOUR_MS = 3_600_000;

export interface BaselineSnapshot {
  hourlyMean: number;
  hourlyVar: number;
  samples: number;
}

export class AgentBaseline {
  mean: number;
  variance: number;
  samples: number;
  dirty = false;
  private hour = -1;
  private hourViews = 0;
  private hourFired = false;

  constructor(
    readonly tenantId: string | null,
    readonly userId: string,
    snap: BaselineSnapshot = { hourlyMean: 0, hourlyVar: 0, samples: 0 },
  ) {
    this.mean = snap.hourlyMean;
    this.variance = snap.hourlyVar;
    this.samples = snap.samples;
  }

  /** Records one view at time t; a new clock hour folds the finished hour into the baseline. */
  observe(t: number, params: RuleParams): void {
    const h = Math.floor(t / HOUR_MS);
    if (h > this.hour) {
      if (this.hour >= 0 && this.hourViews > 0 && !this.hourFired) this.learn(this.hourViews, params);
      this.hour = h;
      this.hourViews = 0;
      this.hourFired = false;
    }
    this.hourViews++;
  }

  markFired(): void {
    this.hourFired = true;
  }

  /** Hourly views above which this agent is unusual; the default until enough history exists. */
  limit(params: RuleParams): number {
    const factor = params.baselineFactor ?? 3;
    if (this.samples < (params.minBaselineHours ?? 10)) return (params.defaultHourlyViews ?? 40) * factor;
    return Math.max(this.mean * factor, this.mean + 4 * Math.sqrt(this.variance));
  }

  snapshot(): BaselineSnapshot {
    return { hourlyMean: this.mean, hourlyVar: this.variance, samples: this.samples };
  }

  private learn(x: number, params: RuleParams): void {
    // Plain running mean while history is short, then the EWMA span (recent weeks weigh most).
    const alpha = Math.max(1 / (this.samples + 1), 2 / ((params.baselineSpanHours ?? 120) + 1));
    const diff = x - this.mean;
    const incr = alpha * diff;
    this.mean += incr;
    this.variance = (1 - alpha) * (this.variance + diff * incr);
    this.samples++;
    this.dirty = true;
  }
}
