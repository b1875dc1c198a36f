/**
 * The test gas an installer declares for the tightness test (S13: seed §5 ch.5 art.13,
 * pressure leak test only with nitrogen), as installers actually type it.
 */

// What installers type for nitrogen, compared after folding (NFKC makes "N₂" "N2"; case,
// spaces and hyphens do not count): English, the formula, the UK trade name OFN
// (oxygen-free nitrogen) and Chinese 氮气 / 氮 / 干燥氮气 (dry nitrogen) / 高纯氮气 (high-purity).
const NITROGEN = new Set(['nitrogen', 'n2', 'dry nitrogen', 'dry n2', 'oxygen free nitrogen', 'ofn', '氮气', '氮', '干燥氮气', '干燥氮', '高纯氮气', '高纯氮'])
const foldGas = (gas: string) => gas.normalize('NFKC').toLowerCase().replace(/[\s\-_]+/g, ' ').trim()
/** True for the names of nitrogen above; anything else (air, oxygen, N2O, a refrigerant) is not nitrogen. */
export const isNitrogen = (gas: unknown): boolean => typeof gas === 'string' && NITROGEN.has(foldGas(gas))
