/**
 * Shows a status as a badge: a job's or a cell's (succeeded, failed…), a
 * session's (ready, busy, closed…) or a state of the page (sending, not run).
 * The class is derived from the status, so the stylesheet colours each one.
 */
export const showStatusBadge = (badge: HTMLElement, status: string): void => {
  badge.textContent = status;
  badge.className = `badge badge-${status.replace(/[^a-z_]/g, '-')}`;
};
