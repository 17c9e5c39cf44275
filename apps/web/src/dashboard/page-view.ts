/**
 * The dashboard's two forms: the full operator page, and the projector view for a classroom (`&view=projector`):
 * the join code large, the live curve and the volunteer count, nothing to operate.
 */
export type PageView = 'full' | 'projector';

/** The projector view needs a run to show; without one the page stays the full dashboard. */
export function pageViewOf(search: string): PageView {
  const params = new URLSearchParams(search);
  return params.get('view') === 'projector' && params.get('run') ? 'projector' : 'full';
}

/** The page's address for a run in a view, as a bookmark or a link to the other view. */
export function viewSearch(runId: string, view: PageView): string {
  return `?run=${encodeURIComponent(runId)}${view === 'projector' ? '&view=projector' : ''}`;
}
