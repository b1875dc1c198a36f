/**
 * A small typed InfluxQL builder over the schema in influx-schema.ts: field and tag names
 * are checked by the compiler against the measurement, every selected column gets an
 * explicit alias (so the series a panel gets are known in advance), and Grafana's
 * `$timeFilter` is added to every query that reads a measurement (unless allTime()).
 */
import { quoteIdent, qualifiedName, type FieldOf, type MeasurementKey, type TagOf } from './influx-schema.js'

export type Fill = 'none' | 'null' | 'previous' | 'linear' | number
export type AggregateFn = 'mean' | 'min' | 'max' | 'last' | 'first' | 'count' | 'sum' | 'median' | 'spread'
type Comparison = '=' | '!=' | '<' | '<=' | '>' | '>='

/** Grafana variable reference in a query, e.g. `$job_id`. */
export const variable = (name: string) => `$${name}`

/** Builds column expressions for one measurement (or a subquery's aliases). */
export interface Terms<F extends string> {
  field(name: F): string
  agg(fn: AggregateFn, name: F): string
  /**
   * A field named by a Grafana variable, e.g. `${channel}_mean`: not checked here, so the
   * tests run the query once for every value the variable offers.
   */
  aggVariable(fn: AggregateFn, pattern: string): string
}

function terms<F extends string>(check: (name: F) => void): Terms<F> {
  return {
    field: (name) => (check(name), quoteIdent(name)),
    agg: (fn, name) => (check(name), `${fn}(${quoteIdent(name)})`),
    aggVariable: (fn, pattern) => `${fn}(${quoteIdent(pattern)})`,
  }
}

const stringLiteral = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`

export class Query<M extends MeasurementKey, F extends string = FieldOf<M>> {
  private readonly columns: { expr: string; alias: string }[] = []
  private readonly conditions: string[] = []
  private bucket: string | undefined
  private readonly tags: string[] = []
  private fillMode: Fill | undefined
  private limitN: number | undefined
  private descending = false
  private everything = false

  private constructor(
    readonly measurement: M,
    private readonly inner: Query<M, string> | undefined,
  ) {}

  /** `SELECT ... FROM "<rp>"."<measurement>" WHERE $timeFilter ...` */
  static from<M extends MeasurementKey>(measurement: M): Query<M> {
    return new Query<M>(measurement, undefined)
  }

  /** `SELECT ... FROM (<inner>)`: the outer query reads the inner query's aliases and tags. */
  static over<M extends MeasurementKey, F extends string>(inner: Query<M, F>): Query<M, string> {
    return new Query<M, string>(inner.measurement, inner as Query<M, string>)
  }

  /** Aliases of the selected columns, in order: the columns InfluxDB answers with (after time). */
  get aliases(): readonly string[] {
    return this.columns.map((c) => c.alias)
  }

  /** Tags the result is grouped by: each series carries these. */
  get groupTags(): readonly string[] {
    return this.tags
  }

  private checkName = (name: string): void => {
    if (this.inner && !this.inner.aliases.includes(name)) {
      throw new Error(`subquery has no column "${name}" (it has ${this.inner.aliases.join(', ')})`)
    }
  }

  /** A column: `expr` is built from the measurement's own names, `alias` names the result. */
  select(alias: string, expr: (t: Terms<F>) => string): this {
    if (this.columns.some((c) => c.alias === alias)) throw new Error(`duplicate column alias "${alias}"`)
    this.columns.push({ expr: expr(terms<F>(this.checkName)), alias })
    return this
  }

  /** `fn("field") AS "alias"`; alias defaults to the field name. */
  aggregate(fn: AggregateFn, name: F, alias: string = name): this {
    return this.select(alias, (t) => t.agg(fn, name))
  }

  /** A tag value next to a selector (`last(...)`), e.g. a job's latest verdict status. */
  selectTag(tag: TagOf<M>): this {
    this.columns.push({ expr: quoteIdent(tag), alias: tag })
    return this
  }

  /** `"tag" = 'value'`; pass variable('job_id') for a Grafana variable. */
  whereTag(tag: TagOf<M>, value: string, op: '=' | '!=' = '='): this {
    this.conditions.push(`${quoteIdent(tag)} ${op} ${stringLiteral(value)}`)
    return this
  }

  /** `"tag" =~ /^(a|b)$/`: the tag is one of `values`. */
  whereTagIn(tag: TagOf<M>, values: readonly string[]): this {
    const alternatives = values.map((v) => v.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
    this.conditions.push(`${quoteIdent(tag)} =~ /^(${alternatives.join('|')})$/`)
    return this
  }

  /** `"field" >= 0.5`: filters points by a field's value. */
  whereField(name: F, op: Comparison, value: number): this {
    this.checkName(name)
    this.conditions.push(`${quoteIdent(name)} ${op} ${value}`)
    return this
  }

  /** Only when a number-valued Grafana variable is above zero (an unset limit draws nothing). */
  whereVariablePositive(name: string): this {
    this.conditions.push(`${variable(name)} > 0`)
    return this
  }

  /**
   * No `$timeFilter`: the query reads every point the retention policy keeps, whatever range
   * the dashboard shows. For a current state (the latest point per series), which is as old
   * as the last change, not as the range.
   */
  allTime(): this {
    this.everything = true
    return this
  }

  groupByTime(interval = '$__interval'): this {
    this.bucket = interval
    return this
  }

  groupBy(...tags: TagOf<M>[]): this {
    for (const t of tags) {
      if (this.inner && !this.inner.groupTags.includes(t)) throw new Error(`subquery is not grouped by tag "${t}"`)
      if (!this.tags.includes(t)) this.tags.push(t)
    }
    return this
  }

  fill(mode: Fill): this {
    this.fillMode = mode
    return this
  }

  orderByTimeDesc(): this {
    this.descending = true
    return this
  }

  limit(n: number): this {
    this.limitN = n
    return this
  }

  toString(): string {
    if (this.columns.length === 0) throw new Error(`query on ${this.measurement} selects nothing`)
    const select = this.columns.map((c) => (c.expr === quoteIdent(c.alias) ? c.expr : `${c.expr} AS ${quoteIdent(c.alias)}`))
    const from = this.inner ? `(${this.inner.toString()})` : qualifiedName(this.measurement)
    const where = this.inner || this.everything ? [...this.conditions] : [...this.conditions, '$timeFilter']
    let q = `SELECT ${select.join(', ')} FROM ${from}`
    if (where.length > 0) q += ` WHERE ${where.join(' AND ')}`
    const group = [...(this.bucket ? [`time(${this.bucket})`] : []), ...this.tags.map(quoteIdent)]
    if (group.length > 0) q += ` GROUP BY ${group.join(', ')}`
    if (this.fillMode !== undefined) q += ` fill(${this.fillMode})`
    if (this.descending) q += ' ORDER BY time DESC'
    if (this.limitN !== undefined) q += ` LIMIT ${this.limitN}`
    return q
  }
}
