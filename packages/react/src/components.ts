/**
 * The styled defaults, built only on the hooks: `<Inbox/>` (a bell with an unread badge and a panel)
 * and `<PreferenceCenter/>`. Colours are CSS custom properties (`--herald-*`), every string comes
 * from `strings` (English by default, French shipped), and both work by keyboard: Escape closes the
 * panel and gives focus back to the bell.
 */
import { createElement as h, useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { useInbox, usePreferences, useUnreadCount } from './hooks.ts';
import { en, type HeraldStrings } from './strings.ts';

const CSS = `
.herald-inbox{position:relative;display:inline-block;font:inherit}
.herald-bell{background:none;border:0;padding:.25rem;color:var(--herald-bell-color,currentColor);cursor:pointer;position:relative}
.herald-bell:focus-visible,.herald-panel button:focus-visible{outline:2px solid var(--herald-focus-color,#0969da);outline-offset:2px}
.herald-badge{position:absolute;top:0;right:0;min-width:1.1rem;border-radius:1rem;padding:0 .25rem;font-size:.7rem;background:var(--herald-badge-background,#b42318);color:var(--herald-badge-color,#fff)}
.herald-panel{position:absolute;right:0;z-index:10;width:var(--herald-panel-width,22rem);max-height:28rem;overflow:auto;background:var(--herald-panel-background,#fff);color:var(--herald-panel-color,#1f2328);border:1px solid var(--herald-border-color,#d0d7de);border-radius:.5rem;box-shadow:0 8px 24px rgba(0,0,0,.15)}
.herald-panel header{display:flex;justify-content:space-between;align-items:center;padding:.5rem .75rem;border-bottom:1px solid var(--herald-border-color,#d0d7de)}
.herald-panel h2{font-size:1rem;margin:0}
.herald-panel ul{list-style:none;margin:0;padding:0}
.herald-item{padding:.5rem .75rem;border-bottom:1px solid var(--herald-border-color,#d0d7de)}
.herald-item[data-unread]{background:var(--herald-unread-background,#ddf4ff)}
.herald-item p{margin:.25rem 0}
.herald-panel button.herald-action{background:none;border:0;padding:0 .5rem 0 0;color:var(--herald-link-color,#0550ae);text-decoration:underline;cursor:pointer;font:inherit;font-size:.85rem}
.herald-prefs fieldset{border:1px solid var(--herald-border-color,#d0d7de);border-radius:.5rem;margin:0 0 1rem}
.herald-prefs label{display:block;padding:.25rem 0}
`;

function Style() {
  return h('style', null, CSS);
}

function Bell() {
  return h(
    'svg',
    { width: 20, height: 20, viewBox: '0 0 24 24', 'aria-hidden': true, fill: 'currentColor' },
    h('path', {
      d: 'M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1Z',
    }),
  );
}

export interface InboxProps {
  strings?: HeraldStrings;
}

export function Inbox({ strings = en }: InboxProps) {
  const inbox = useInbox();
  const unread = useUnreadCount();
  const [open, setOpen] = useState(false);
  const bell = useRef<HTMLButtonElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const panelId = useId();
  const headingId = useId();
  useEffect(() => {
    if (open) heading.current?.focus();
  }, [open]);
  const close = () => {
    setOpen(false);
    bell.current?.focus();
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape') close();
  };
  const ignore = () => undefined;
  return h(
    'div',
    { className: 'herald-inbox', onKeyDown },
    h(Style),
    h(
      'button',
      {
        ref: bell,
        type: 'button',
        className: 'herald-bell',
        'aria-label': unread ? strings.bellUnread(unread) : strings.bell,
        'aria-expanded': open,
        'aria-controls': panelId,
        onClick: () => setOpen(!open),
      },
      h(Bell),
      unread > 0
        ? h('span', { className: 'herald-badge', 'aria-hidden': true }, unread > 99 ? '99+' : unread)
        : null,
    ),
    h(
      'span',
      {
        className: 'herald-visually-hidden',
        role: 'status',
        style: { position: 'absolute', width: 1, height: 1, overflow: 'hidden', clip: 'rect(0 0 0 0)' },
      },
      unread ? strings.bellUnread(unread) : '',
    ),
    open
      ? h(
          'section',
          { id: panelId, className: 'herald-panel', role: 'dialog', 'aria-labelledby': headingId },
          h(
            'header',
            null,
            h('h2', { id: headingId, ref: heading, tabIndex: -1 }, strings.heading),
            unread > 0
              ? h(
                  'button',
                  {
                    type: 'button',
                    className: 'herald-action',
                    onClick: () => inbox.markAllRead().catch(ignore),
                  },
                  strings.markAllRead,
                )
              : null,
          ),
          inbox.connection === 'offline'
            ? h('p', { role: 'status', className: 'herald-item' }, strings.offline)
            : null,
          h(
            'ul',
            null,
            inbox.items.length === 0
              ? h('li', { className: 'herald-item' }, strings.empty)
              : inbox.items.map((item) =>
                  h(
                    'li',
                    { key: item.id, className: 'herald-item', 'data-unread': item.readAt ? undefined : '' },
                    h(
                      'p',
                      null,
                      h(
                        'strong',
                        null,
                        item.actionUrl && /^https?:\/\//i.test(item.actionUrl)
                          ? h(
                              'a',
                              {
                                href: item.actionUrl,
                                onClick: () => void inbox.markRead(item.id).catch(ignore),
                              },
                              item.title,
                            )
                          : item.title,
                      ),
                    ),
                    item.body ? h('p', null, item.body) : null,
                    h(
                      'p',
                      null,
                      h('time', { dateTime: item.createdAt }, new Date(item.createdAt).toLocaleString()),
                      ' ',
                      h(
                        'button',
                        {
                          type: 'button',
                          className: 'herald-action',
                          onClick: () =>
                            void (item.readAt ? inbox.markUnread(item.id) : inbox.markRead(item.id)).catch(
                              ignore,
                            ),
                        },
                        item.readAt ? strings.markUnread : strings.markRead,
                      ),
                      h(
                        'button',
                        {
                          type: 'button',
                          className: 'herald-action',
                          onClick: () => void inbox.archive(item.id).catch(ignore),
                        },
                        strings.archive,
                      ),
                    ),
                  ),
                ),
          ),
          inbox.hasMore
            ? h(
                'button',
                {
                  type: 'button',
                  className: 'herald-action',
                  onClick: () => void inbox.loadMore().catch(ignore),
                },
                strings.loadMore,
              )
            : null,
        )
      : null,
  );
}

const CHANNELS = ['email', 'sms', 'push', 'web_push', 'in_app', 'webhook'];

export interface PreferenceCenterProps {
  /** The notification types to offer, with the label to show for each. */
  types: { key: string; label: string }[];
  /** The channels to offer (default: email, sms, push, in_app). */
  channels?: string[];
  strings?: HeraldStrings;
}

export function PreferenceCenter({
  types,
  channels = ['email', 'sms', 'push', 'in_app'],
  strings = en,
}: PreferenceCenterProps) {
  const { preferences, error, update } = usePreferences();
  const [saving, setSaving] = useState(false);
  const save = (patch: Parameters<typeof update>[0]) => {
    setSaving(true);
    update(patch)
      .catch(() => undefined)
      .finally(() => setSaving(false));
  };
  const headingId = useId();
  const checkbox = (label: string, checked: boolean, onChange: (on: boolean) => void) =>
    h(
      'label',
      { key: label },
      h('input', {
        type: 'checkbox',
        checked,
        disabled: !preferences,
        onChange: (e: { target: { checked: boolean } }) => onChange(e.target.checked),
      }),
      ' ',
      label,
    );
  return h(
    'section',
    { className: 'herald-prefs', 'aria-labelledby': headingId },
    h(Style),
    h('h2', { id: headingId }, strings.preferencesHeading),
    h(
      'fieldset',
      null,
      h('legend', null, strings.channelsLegend),
      channels.map((c) =>
        checkbox(strings.channel(c), preferences?.channels[c] !== false, (on) =>
          save({ channels: { [c]: on } }),
        ),
      ),
    ),
    h(
      'fieldset',
      null,
      h('legend', null, strings.typesLegend),
      // A type is off when every channel is off for it; turning it back on removes the rule.
      types.map((t) => {
        const rule = preferences?.types[t.key];
        const on = !rule || Object.keys(rule).length === 0 || Object.values(rule).some(Boolean);
        const off = Object.fromEntries(CHANNELS.map((c) => [c, false]));
        return checkbox(t.label, on, (want) => save({ types: { [t.key]: want ? null : off } }));
      }),
    ),
    h('p', { role: 'status' }, saving ? strings.saving : error ? strings.saveFailed : ''),
  );
}
