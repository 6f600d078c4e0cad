/** Every word the styled components show; pass your own, or one of these. */
export interface HeraldStrings {
  bell: string;
  bellUnread: (n: number) => string;
  heading: string;
  markAllRead: string;
  markRead: string;
  markUnread: string;
  archive: string;
  empty: string;
  loadMore: string;
  offline: string;
  preferencesHeading: string;
  channelsLegend: string;
  typesLegend: string;
  channel: (key: string) => string;
  saving: string;
  saveFailed: string;
}

const CHANNELS_EN: Record<string, string> = {
  email: 'Email',
  sms: 'Text messages',
  push: 'Mobile push',
  web_push: 'Browser push',
  in_app: 'In-app',
  webhook: 'Webhook',
};
const CHANNELS_FR: Record<string, string> = {
  email: 'E-mail',
  sms: 'SMS',
  push: 'Notifications mobiles',
  web_push: 'Notifications du navigateur',
  in_app: 'Dans l’application',
  webhook: 'Webhook',
};

export const en: HeraldStrings = {
  bell: 'Notifications',
  bellUnread: (n) => `Notifications, ${n} unread`,
  heading: 'Notifications',
  markAllRead: 'Mark all as read',
  markRead: 'Mark as read',
  markUnread: 'Mark as unread',
  archive: 'Archive',
  empty: 'No notifications yet.',
  loadMore: 'Show more',
  offline: 'Offline: reconnecting…',
  preferencesHeading: 'Notification preferences',
  channelsLegend: 'Channels',
  typesLegend: 'Notifications',
  channel: (key) => CHANNELS_EN[key] ?? key,
  saving: 'Saving…',
  saveFailed: 'Could not save. Please try again.',
};

export const fr: HeraldStrings = {
  bell: 'Notifications',
  bellUnread: (n) => `Notifications, ${n} non lue${n > 1 ? 's' : ''}`,
  heading: 'Notifications',
  markAllRead: 'Tout marquer comme lu',
  markRead: 'Marquer comme lu',
  markUnread: 'Marquer comme non lu',
  archive: 'Archiver',
  empty: 'Aucune notification pour l’instant.',
  loadMore: 'Afficher plus',
  offline: 'Hors ligne : reconnexion…',
  preferencesHeading: 'Préférences de notification',
  channelsLegend: 'Canaux',
  typesLegend: 'Notifications',
  channel: (key) => CHANNELS_FR[key] ?? key,
  saving: 'Enregistrement…',
  saveFailed: 'Échec de l’enregistrement. Veuillez réessayer.',
};
