// Generated from Herald's OpenAPI document by `npm run sdk:generate`. Do not edit.
export interface paths {
    "/": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The operator dashboard (asks for the admin token or a service key, kept in the tab only). */
        get: operations["getRoot"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The process is up. */
        get: operations["getHealthz"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Prometheus metrics (text exposition format); needs the metrics or the admin token. */
        get: operations["getMetrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The database answers and its schema is current. */
        get: operations["getReadyz"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/t/c/{token}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Click redirect from an HTML email: records the click and redirects to the link it signs when its host is one the service registered; otherwise answers a page naming the destination. */
        get: operations["getTCByToken"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/t/o/{token}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Open pixel from an HTML email: records the open and answers a 1×1 GIF. */
        get: operations["getTOByToken"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/u/{token}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** One-click unsubscribe (RFC 8058): POST `List-Unsubscribe=One-Click` as application/x-www-form-urlencoded (or the same field as multipart/form-data). Stops commercial notification types for the recipient the signed token names. */
        post: operations["postUByToken"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/services": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every registered service (newest first, up to 1000), with its count of live keys. */
        get: operations["getAdminServices"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/analytics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Counts, rates and accept-to-sent percentiles per hour or day (UTC), optionally per channel, type or provider. Up to a minute behind. */
        get: operations["getAnalytics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/api-keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The service's API keys (never their secrets). */
        get: operations["getApiKeys"];
        put?: never;
        /** Create another key for the calling service; shown once. */
        post: operations["postApiKeys"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/api-keys/{keyId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke a key; calls with it fail from now on. */
        delete: operations["deleteApiKeysByKeyId"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/audiences": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Upload an audience as NDJSON (`"id"` or `{"id","data"}` per line) or CSV (header `id,...`; other columns become data). Use it as `"audience": {"id": ...}`. */
        post: operations["postAudiences"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/audiences/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An uploaded audience: its size and when it was uploaded. */
        get: operations["getAudiencesById"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Deliveries in one state (dead letters by default), oldest change first, paged by cursor. */
        get: operations["getDeliveries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/deliveries/{id}/history": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every reported state a delivery reached (sent, delivered, opened, failed, dead, …), oldest first. */
        get: operations["getDeliveriesByIdHistory"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/deliveries/{id}/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Replay one dead delivery with a fresh retry budget. */
        post: operations["postDeliveriesByIdRetry"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/deliveries/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Replay every dead delivery matching the filter; answers how many were requeued. */
        post: operations["postDeliveriesRetry"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/digests": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Digests of the service, newest first (at most 100), without their items. */
        get: operations["getDigests"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/digests/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One digest and the events it gathered so far, oldest first. */
        get: operations["getDigestsById"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/digests/{id}/release": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Close an open digest now and send its message; later events open a new one. Harmless to repeat. */
        post: operations["postDigestsByIdRelease"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send one event, or `{ "events": [...] }` with up to 1000. 202 means they are stored durably; each id is its idempotency key. */
        post: operations["postEvents"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/events/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An event: whether it matched a rule, and each of the rule's notifications it created or skipped. */
        get: operations["getEventsById"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/inbox/counts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Unread and unseen counts (archived and expired items excluded), and the last event id. */
        get: operations["getInboxCounts"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/inbox/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Server-Sent Events of inbox events. Resume with `Last-Event-ID` or `since`. */
        get: operations["getInboxEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/inbox/items": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The recipient's items, newest first; `limit` 1–100 (default 20).
         * @description Pass `nextCursor` from one page as `cursor` for the next; it is null on the last page. Expired items are never listed. `archived` defaults to `exclude`.
         */
        get: operations["getInboxItems"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/inbox/items/{id}/{action}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Mark one item read, unread, seen, archived or unarchived. */
        post: operations["postInboxItemsByIdByAction"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/inbox/preferences": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The recipient's own settings (unset keys follow the service defaults). */
        get: operations["getInboxPreferences"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Change some of the recipient’s own settings: switches merge, `null` removes a type or category rule. A merge, not a replacement, so two tabs changing different switches keep both changes. */
        patch: operations["patchInboxPreferences"];
        trace?: never;
    };
    "/v1/inbox/read-all": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Mark every live, unarchived item read. */
        post: operations["postInboxReadAll"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/inbox/secret": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The service's current inbox secret. */
        get: operations["getInboxSecret"];
        put?: never;
        /** Create or rotate the service's inbox secret, and the HMAC and JWT keys derived from it. */
        post: operations["postInboxSecret"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/inbox/seen-all": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Mark every live, unarchived item seen. */
        post: operations["postInboxSeenAll"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/inbox/tickets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A single-use ticket for opening the WebSocket or SSE stream, valid for seconds.
         * @description Browsers cannot set headers on WebSocket or EventSource requests, and URLs end up in logs; so the stream URL carries only this ticket, which works once and expires quickly. Only for a recipient the service has (404 otherwise).
         */
        post: operations["postInboxTickets"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/notification-types": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The service's notification types. */
        get: operations["getNotificationTypes"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/notification-types/{key}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One notification type and its settings. */
        get: operations["getNotificationTypesByKey"];
        /** Create or replace a notification type: category, kind, default channels, TTL, collapse key, workflow steps. */
        put: operations["putNotificationTypesByKey"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/notification-types/{key}/templates": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The newest version of every (channel, locale) template of a type. */
        get: operations["getNotificationTypesByKeyTemplates"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/notification-types/{key}/templates/{channel}/{locale}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Save a new version of the template for a channel and locale (`default` is the fallback). Every string is parsed; a syntax error is a 422 `template_syntax_error` with line and column. */
        put: operations["putNotificationTypesByKeyTemplatesByChannelByLocale"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/notification-types/{key}/templates/{channel}/{locale}/versions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every saved version of one template, newest first. */
        get: operations["getNotificationTypesByKeyTemplatesByChannelByLocaleVersions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/notification-types/{key}/templates/{channel}/preview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Render the template a recipient in `locale` would get (with fallback), or unsaved `content`, with sample data. */
        post: operations["postNotificationTypesByKeyTemplatesByChannelPreview"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/notifications": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Search notifications, newest first: by recipient, type, or a delivery state.
         * @description Pass `nextCursor` from one page as `cursor` for the next; it is null on the last page. `before` (a time) still narrows the list, but rows sharing a timestamp can straddle two pages paged that way; the cursor never skips or repeats one.
         */
        get: operations["getNotifications"];
        put?: never;
        /** Send a notification. 202 means it is stored durably and will reach a final state. */
        post: operations["postNotifications"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/notifications/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A notification, each of its deliveries, every attempt, and its workflow steps’ decisions. */
        get: operations["getNotificationsById"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/notifications/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Stop what has not been sent: planning stops, and deliveries not yet tried end `cancelled`. Harmless to repeat. */
        post: operations["postNotificationsByIdCancel"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/notifications/batch": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send up to 1,000 notifications in one transaction. Each item is answered on its own, in request order: an id, or that item’s error. One bad item does not refuse the others. */
        post: operations["postNotificationsBatch"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/outbox": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Messages captured for channels with no provider (embedded mode). */
        get: operations["getOutbox"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/preference-defaults": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The service's defaults, which each recipient's own settings override. */
        get: operations["getPreferenceDefaults"];
        /** Replace the service's defaults. */
        put: operations["putPreferenceDefaults"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/providers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Each provider: circuit breaker state and error rate over the last minute. */
        get: operations["getProviders"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/providers/{name}/credentials": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Store this service's credentials for a provider (encrypted; never returned). */
        put: operations["putProvidersByNameCredentials"];
        post?: never;
        /** Delete this service's credentials for a provider. */
        delete: operations["deleteProvidersByNameCredentials"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/providers/credentials": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Providers this service has credentials for (names and types only). */
        get: operations["getProvidersCredentials"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/recipients/{recipientId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One recipient, by the id the service gave it. */
        get: operations["getRecipientsByRecipientId"];
        /** Create or update a recipient. Fields left out keep their value; null clears one. */
        put: operations["putRecipientsByRecipientId"];
        post?: never;
        /** Erase a recipient: contact data, devices, preferences and message content are deleted; delivery rows keep only channel, status and times under an unlinkable id, so counts stay right. */
        delete: operations["deleteRecipientsByRecipientId"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/recipients/{recipientId}/devices": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The recipient's registered push devices and web push subscriptions. */
        get: operations["getRecipientsByRecipientIdDevices"];
        put?: never;
        /** Register a push token (`ios`, `android`) or a browser web-push subscription (`web`). Registering a known token again moves it to this recipient and reactivates it. */
        post: operations["postRecipientsByRecipientIdDevices"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/recipients/{recipientId}/devices/{deviceId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Remove one device or subscription; its pending pushes go nowhere. */
        delete: operations["deleteRecipientsByRecipientIdDevicesByDeviceId"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/recipients/{recipientId}/preferences": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The recipient's own settings (unset keys follow the service defaults). */
        get: operations["getRecipientsByRecipientIdPreferences"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Change some settings: channel and per-type/category switches merge, `null` removes a type or category rule, `quietHours: null` turns quiet hours off. */
        patch: operations["patchRecipientsByRecipientIdPreferences"];
        trace?: never;
    };
    "/v1/service": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The calling service */
        get: operations["getService"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/service/link-hosts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The hosts tracked clicks may redirect to directly. */
        get: operations["getServiceLinkHosts"];
        /** Replace the hosts tracked clicks may redirect to directly (`shop.example`, `*.shop.example`); a click to any other host gets a page naming its destination. */
        put: operations["putServiceLinkHosts"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/services": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Register a service (admin token). The API key in the answer is shown only this once. */
        post: operations["postServices"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/topics/{key}/subscribers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Subscribers in id order; pass `nextCursor` back as `cursor` for the next page. */
        get: operations["getTopicsByKeySubscribers"];
        /** Subscribe recipients to a topic (made on first use). All or nothing: an unknown recipient refuses the batch. */
        put: operations["putTopicsByKeySubscribers"];
        post?: never;
        /** Unsubscribe recipients from a topic; ids that were not subscribed are ignored. */
        delete: operations["deleteTopicsByKeySubscribers"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/triggers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Rules in event-name order; pass `nextCursor` back as `cursor` for the next page. */
        get: operations["getTriggers"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/triggers/{event}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The rule for this event. */
        get: operations["getTriggersByEvent"];
        /** Save the rule that turns this event into notifications. Checked when saved: types, pointers, templates and the condition; a 422 names each path. */
        put: operations["putTriggersByEvent"];
        post?: never;
        /** Remove the rule; later events of this name are recorded as unmatched. */
        delete: operations["deleteTriggersByEvent"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhook-endpoints": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The service's webhook endpoints. */
        get: operations["getWebhookEndpoints"];
        put?: never;
        /** Subscribe an endpoint to delivery status events; the answer holds its signing secret, once. */
        post: operations["postWebhookEndpoints"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhook-endpoints/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One webhook endpoint. */
        get: operations["getWebhookEndpointsById"];
        put?: never;
        post?: never;
        /** Remove an endpoint and its undelivered messages. */
        delete: operations["deleteWebhookEndpointsById"];
        options?: never;
        head?: never;
        /** Change an endpoint; `enabled: true` re-enables a disabled one and resends what was given up. */
        patch: operations["patchWebhookEndpointsById"];
        trace?: never;
    };
    "/v1/webhook-endpoints/{id}/attempts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The endpoint's delivery log: every attempt, newest first, paged by `before`. */
        get: operations["getWebhookEndpointsByIdAttempts"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** @description Every error answer has this shape; `code` is stable. */
        Error: {
            error: {
                code: string;
                /** @description Always present: null, or what a client can act on (for `validation_failed`, a list of `{ in, path, message }`). */
                details: unknown;
                message: string;
            };
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getRoot: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getHealthz: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @enum {string} */
                        status: "ok";
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getMetrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Success */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": unknown;
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getReadyz: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        checks: {
                            [key: string]: boolean;
                        };
                        status: string;
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Default Response */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        checks: {
                            [key: string]: boolean;
                        };
                        status: string;
                    };
                };
            };
        };
    };
    getTCByToken: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                token: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The leaving page (text/html) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": string;
                };
            };
            /** @description Default Response */
            302: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getTOByToken: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                token: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": string;
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postUByToken: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                token: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The page saying the recipient is unsubscribed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getAdminServices: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            /** Format: date-time */
                            createdAt: string;
                            id: string;
                            keys: number;
                            name: string;
                        }[];
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getAnalytics: {
        parameters: {
            query?: {
                from?: string;
                groupBy?: "channel" | "type" | "provider";
                interval?: "hour" | "day";
                to?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        from: string;
                        groupBy: string | null;
                        interval: string;
                        series: {
                            buckets: {
                                counts: {
                                    bounced: number;
                                    clicked: number;
                                    dead: number;
                                    delivered: number;
                                    failed: number;
                                    opened: number;
                                    sent: number;
                                    suppressed: number;
                                };
                                latencyMs: {
                                    p50: number | null;
                                    p95: number | null;
                                    p99: number | null;
                                };
                                rates: {
                                    clicked: number | null;
                                    delivered: number | null;
                                    failure: number | null;
                                    opened: number | null;
                                    success: number | null;
                                    suppressed: number | null;
                                };
                                /** Format: date-time */
                                start: string;
                            }[];
                            key: string;
                            totals: {
                                counts: {
                                    bounced: number;
                                    clicked: number;
                                    dead: number;
                                    delivered: number;
                                    failed: number;
                                    opened: number;
                                    sent: number;
                                    suppressed: number;
                                };
                                latencyMs: {
                                    p50: number | null;
                                    p95: number | null;
                                    p99: number | null;
                                };
                                rates: {
                                    clicked: number | null;
                                    delivered: number | null;
                                    failure: number | null;
                                    opened: number | null;
                                    success: number | null;
                                    suppressed: number | null;
                                };
                            };
                        }[];
                        /** Format: date-time */
                        to: string;
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getApiKeys: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            /** Format: date-time */
                            createdAt: string;
                            id: string;
                            label: string | null;
                            publicId: string;
                            /** Format: date-time */
                            revokedAt: string | null;
                        }[];
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postApiKeys: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    label?: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        createdAt: string;
                        id: string;
                        label: string | null;
                        publicId: string;
                        /** Format: date-time */
                        revokedAt: string | null;
                    } & {
                        apiKey: string;
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteApiKeysByKeyId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                keyId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postAudiences: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        createdAt: string;
                        id: string;
                        size: number;
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getAudiencesById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        createdAt: string;
                        id: string;
                        size: number;
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getDeliveries: {
        parameters: {
            query?: {
                channel?: "email" | "sms" | "push" | "web_push" | "in_app" | "webhook";
                cursor?: string;
                limit?: string;
                since?: string;
                status?: "pending" | "queued" | "sending" | "sent" | "delivered" | "opened" | "clicked" | "bounced" | "deferred" | "suppressed" | "failed" | "dead" | "cancelled";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            attempts: number;
                            channel: string;
                            /** Format: date-time */
                            createdAt: string;
                            id: string;
                            lastErrorCode: string | null;
                            lastErrorMessage: string | null;
                            notificationId: string;
                            provider: string | null;
                            reason: string | null;
                            recipient: string;
                            status: string;
                            /** Format: date-time */
                            updatedAt: string;
                        }[];
                        nextCursor: string | null;
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getDeliveriesByIdHistory: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            /** Format: date-time */
                            at: string;
                            provider: string | null;
                            reason: string | null;
                            status: string;
                        }[];
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postDeliveriesByIdRetry: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        /** @enum {string} */
                        status: "queued";
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postDeliveriesRetry: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @enum {unknown} */
                    channel?: "email" | "sms" | "push" | "web_push" | "in_app" | "webhook";
                    /** Format: date-time */
                    since?: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        requeued: number;
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getDigests: {
        parameters: {
            query?: {
                recipient?: string;
                status?: "open" | "closed";
                type?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            /** Format: date-time */
                            closeAt: string;
                            /** Format: date-time */
                            closedAt: string | null;
                            count: number;
                            id: string;
                            items: {
                                /** Format: date-time */
                                at: string;
                                data: {
                                    [key: string]: unknown;
                                };
                                notificationId: string;
                            }[];
                            key: string;
                            maxItems: number | null;
                            messageId: string | null;
                            /** Format: date-time */
                            openedAt: string;
                            recipient: string;
                            /** @enum {unknown} */
                            status: "open" | "closed";
                            type: string;
                        }[];
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getDigestsById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        closeAt: string;
                        /** Format: date-time */
                        closedAt: string | null;
                        count: number;
                        id: string;
                        items: {
                            /** Format: date-time */
                            at: string;
                            data: {
                                [key: string]: unknown;
                            };
                            notificationId: string;
                        }[];
                        key: string;
                        maxItems: number | null;
                        messageId: string | null;
                        /** Format: date-time */
                        openedAt: string;
                        recipient: string;
                        /** @enum {unknown} */
                        status: "open" | "closed";
                        type: string;
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postDigestsByIdRelease: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        closeAt: string;
                        /** Format: date-time */
                        closedAt: string | null;
                        count: number;
                        id: string;
                        items: {
                            /** Format: date-time */
                            at: string;
                            data: {
                                [key: string]: unknown;
                            };
                            notificationId: string;
                        }[];
                        key: string;
                        maxItems: number | null;
                        messageId: string | null;
                        /** Format: date-time */
                        openedAt: string;
                        recipient: string;
                        /** @enum {unknown} */
                        status: "open" | "closed";
                        type: string;
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postEvents: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description The caller's id for this event: its idempotency key. */
                    id: string;
                    /** @description An event name such as `trade.executed`. */
                    name: string;
                    /** Format: date-time */
                    occurredAt?: string;
                    payload: {
                        [key: string]: unknown;
                    };
                } | {
                    events: {
                        /** @description The caller's id for this event: its idempotency key. */
                        id: string;
                        /** @description An event name such as `trade.executed`. */
                        name: string;
                        /** Format: date-time */
                        occurredAt?: string;
                        payload: {
                            [key: string]: unknown;
                        };
                    }[];
                };
            };
        };
        responses: {
            /** @description Default Response */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        replayed: boolean;
                        /** @enum {string} */
                        status: "accepted";
                    } | {
                        events: {
                            id: string;
                            replayed: boolean;
                            /** @enum {string} */
                            status: "accepted";
                        }[];
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getEventsById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The caller's id for this event: its idempotency key. */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description Why a dead event (a broker message that could not be read) could not be read. */
                        error: string | null;
                        id: string;
                        name: string;
                        notifications: {
                            index: number;
                            notificationId?: string;
                            reason?: string;
                            status: "created" | "skipped";
                            type: string;
                        }[] | null;
                        /** Format: date-time */
                        occurredAt: string | null;
                        payload: {
                            [key: string]: unknown;
                        };
                        /** Format: date-time */
                        processedAt: string | null;
                        /** Format: date-time */
                        receivedAt: string;
                        /** @description The broker source the event came from; null when it was sent to POST /v1/events. */
                        source: string | null;
                        status: "pending" | "processed" | "unmatched" | "dead";
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getInboxCounts: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        unread: number;
                        unseen: number;
                    } & {
                        lastEventId: string;
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getInboxEvents: {
        parameters: {
            query?: {
                since?: string;
            };
            header?: {
                "last-event-id"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description text/event-stream */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": string;
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getInboxItems: {
        parameters: {
            query?: {
                archived?: "exclude" | "include" | "only";
                cursor?: string;
                limit?: string;
                status?: "all" | "unread" | "read";
                type?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            actionUrl: string | null;
                            /** Format: date-time */
                            archivedAt: string | null;
                            body: string;
                            collapseKey: string | null;
                            /** Format: date-time */
                            createdAt: string;
                            data: {
                                [key: string]: unknown;
                            };
                            /** Format: date-time */
                            expiresAt: string | null;
                            id: string;
                            /** Format: date-time */
                            readAt: string | null;
                            /** Format: date-time */
                            seenAt: string | null;
                            title: string;
                            type: string;
                        }[];
                        nextCursor: string | null;
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postInboxItemsByIdByAction: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                action: "read" | "unread" | "seen" | "archive" | "unarchive";
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        actionUrl: string | null;
                        /** Format: date-time */
                        archivedAt: string | null;
                        body: string;
                        collapseKey: string | null;
                        /** Format: date-time */
                        createdAt: string;
                        data: {
                            [key: string]: unknown;
                        };
                        /** Format: date-time */
                        expiresAt: string | null;
                        id: string;
                        /** Format: date-time */
                        readAt: string | null;
                        /** Format: date-time */
                        seenAt: string | null;
                        title: string;
                        type: string;
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getInboxPreferences: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        categories?: {
                            [key: string]: {
                                [key: string]: boolean;
                            };
                        };
                        channels?: {
                            [key: string]: boolean;
                        };
                        frequencyLimit?: number | null;
                        quietHours?: {
                            end: string;
                            start: string;
                        } | null;
                        types?: {
                            [key: string]: {
                                [key: string]: boolean;
                            };
                        };
                        unsubscribed?: boolean;
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    patchInboxPreferences: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    categories?: {
                        [key: string]: {
                            email?: boolean;
                            in_app?: boolean;
                            push?: boolean;
                            sms?: boolean;
                            web_push?: boolean;
                            webhook?: boolean;
                        } | null;
                    };
                    channels?: {
                        email?: boolean;
                        in_app?: boolean;
                        push?: boolean;
                        sms?: boolean;
                        web_push?: boolean;
                        webhook?: boolean;
                    };
                    frequencyLimit?: number | null;
                    quietHours?: {
                        end: string;
                        start: string;
                    } | null;
                    types?: {
                        [key: string]: {
                            email?: boolean;
                            in_app?: boolean;
                            push?: boolean;
                            sms?: boolean;
                            web_push?: boolean;
                            webhook?: boolean;
                        } | null;
                    };
                    unsubscribed?: boolean;
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        categories?: {
                            [key: string]: {
                                [key: string]: boolean;
                            };
                        };
                        channels?: {
                            [key: string]: boolean;
                        };
                        frequencyLimit?: number | null;
                        quietHours?: {
                            end: string;
                            start: string;
                        } | null;
                        types?: {
                            [key: string]: {
                                [key: string]: boolean;
                            };
                        };
                        unsubscribed?: boolean;
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postInboxReadAll: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        updated: number;
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getInboxSecret: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description Key for X-Herald-Recipient-Hmac: hex HMAC-SHA256(hmacKey, recipientId). */
                        hmacKey: string;
                        /** @description Key for recipient JWTs (HS256). */
                        jwtKey: string;
                        /** Format: date-time */
                        rotatedAt: string;
                        /** @description The secret both keys are derived from (HKDF-SHA256). */
                        secret: string;
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postInboxSecret: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description Key for X-Herald-Recipient-Hmac: hex HMAC-SHA256(hmacKey, recipientId). */
                        hmacKey: string;
                        /** @description Key for recipient JWTs (HS256). */
                        jwtKey: string;
                        /** Format: date-time */
                        rotatedAt: string;
                        /** @description The secret both keys are derived from (HKDF-SHA256). */
                        secret: string;
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postInboxSeenAll: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        updated: number;
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postInboxTickets: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        expiresAt: string;
                        ticket: string;
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getNotificationTypes: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            category: string | null;
                            collapseKey: string | null;
                            defaultChannels: string[];
                            description: string;
                            key: string;
                            kind: string;
                            steps?: ({
                                /** @description A duration: `30s`, `15m`, `2h`, `7d`, `2w` (at most 400 days). */
                                duration?: string;
                                /** @description A LiquidJS condition over the data and `recipient` (`plan == "pro"`); false skips the step. */
                                if?: string;
                                /** @enum {string} */
                                type: "delay";
                                /** @description A template rendering to an ISO 8601 time (`{{ remind_at }}`); else `duration` applies. */
                                until?: string;
                            } | {
                                /** @description A LiquidJS condition over the data and `recipient` (`plan == "pro"`); false skips the step. */
                                if?: string;
                                /** @description Count per rendered key instead of per recipient. */
                                key?: string;
                                limit: number;
                                /** @enum {string} */
                                type: "throttle";
                                /** @description A duration: `30s`, `15m`, `2h`, `7d`, `2w` (at most 400 days). */
                                window: string;
                            } | {
                                /** @description Schedule: closes daily at this local time in the recipient’s time zone. */
                                at?: string;
                                /** @description Schedule: a cron expression (5 fields, or 6 with seconds first), read in the recipient’s time zone; the digest closes at its next run. */
                                cron?: string;
                                /** @description With `at`: only on these local days of the week; every day when absent. */
                                days?: ("sun" | "mon" | "tue" | "wed" | "thu" | "fri" | "sat")[];
                                /** @description A LiquidJS condition over the data and `recipient` (`plan == "pro"`); false skips the step. */
                                if?: string;
                                /** @description Events with the same rendered key share a digest. */
                                key?: string;
                                maxItems?: number;
                                /** @enum {string} */
                                type: "digest";
                                /** @description Look-back: the first event opens it, it closes this long after. */
                                window?: string;
                            } | {
                                /** @description A duration: `30s`, `15m`, `2h`, `7d`, `2w` (at most 400 days). */
                                after: string;
                                channels: ("email" | "sms" | "push" | "web_push" | "in_app" | "webhook")[];
                                /** @description A LiquidJS condition over the data and `recipient` (`plan == "pro"`); false skips the step. */
                                if?: string;
                                /** @enum {string} */
                                type: "escalate";
                            })[] | null;
                            tracking?: {
                                clicks: boolean;
                                opens: boolean;
                            } | null;
                            ttlSeconds: number | null;
                        }[];
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getNotificationTypesByKey: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                key: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        category: string | null;
                        collapseKey: string | null;
                        defaultChannels: string[];
                        description: string;
                        key: string;
                        kind: string;
                        steps?: ({
                            /** @description A duration: `30s`, `15m`, `2h`, `7d`, `2w` (at most 400 days). */
                            duration?: string;
                            /** @description A LiquidJS condition over the data and `recipient` (`plan == "pro"`); false skips the step. */
                            if?: string;
                            /** @enum {string} */
                            type: "delay";
                            /** @description A template rendering to an ISO 8601 time (`{{ remind_at }}`); else `duration` applies. */
                            until?: string;
                        } | {
                            /** @description A LiquidJS condition over the data and `recipient` (`plan == "pro"`); false skips the step. */
                            if?: string;
                            /** @description Count per rendered key instead of per recipient. */
                            key?: string;
                            limit: number;
                            /** @enum {string} */
                            type: "throttle";
                            /** @description A duration: `30s`, `15m`, `2h`, `7d`, `2w` (at most 400 days). */
                            window: string;
                        } | {
                            /** @description Schedule: closes daily at this local time in the recipient’s time zone. */
                            at?: string;
                            /** @description Schedule: a cron expression (5 fields, or 6 with seconds first), read in the recipient’s time zone; the digest closes at its next run. */
                            cron?: string;
                            /** @description With `at`: only on these local days of the week; every day when absent. */
                            days?: ("sun" | "mon" | "tue" | "wed" | "thu" | "fri" | "sat")[];
                            /** @description A LiquidJS condition over the data and `recipient` (`plan == "pro"`); false skips the step. */
                            if?: string;
                            /** @description Events with the same rendered key share a digest. */
                            key?: string;
                            maxItems?: number;
                            /** @enum {string} */
                            type: "digest";
                            /** @description Look-back: the first event opens it, it closes this long after. */
                            window?: string;
                        } | {
                            /** @description A duration: `30s`, `15m`, `2h`, `7d`, `2w` (at most 400 days). */
                            after: string;
                            channels: ("email" | "sms" | "push" | "web_push" | "in_app" | "webhook")[];
                            /** @description A LiquidJS condition over the data and `recipient` (`plan == "pro"`); false skips the step. */
                            if?: string;
                            /** @enum {string} */
                            type: "escalate";
                        })[] | null;
                        tracking?: {
                            clicks: boolean;
                            opens: boolean;
                        } | null;
                        ttlSeconds: number | null;
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    putNotificationTypesByKey: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                key: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @default null */
                    category?: string | null;
                    /** @default null */
                    collapseKey?: string | null;
                    /** @default [] */
                    defaultChannels?: ("email" | "sms" | "push" | "web_push" | "in_app" | "webhook")[];
                    /** @default  */
                    description?: string;
                    /**
                     * @default transactional
                     * @enum {unknown}
                     */
                    kind?: "transactional" | "commercial";
                    /**
                     * @description Workflow steps run for each recipient before the channels send: delay, throttle, digest (see docs/workflows.md).
                     * @default null
                     */
                    steps?: ({
                        /** @description A duration: `30s`, `15m`, `2h`, `7d`, `2w` (at most 400 days). */
                        duration?: string;
                        /** @description A LiquidJS condition over the data and `recipient` (`plan == "pro"`); false skips the step. */
                        if?: string;
                        /** @enum {string} */
                        type: "delay";
                        /** @description A template rendering to an ISO 8601 time (`{{ remind_at }}`); else `duration` applies. */
                        until?: string;
                    } | {
                        /** @description A LiquidJS condition over the data and `recipient` (`plan == "pro"`); false skips the step. */
                        if?: string;
                        /** @description Count per rendered key instead of per recipient. */
                        key?: string;
                        limit: number;
                        /** @enum {string} */
                        type: "throttle";
                        /** @description A duration: `30s`, `15m`, `2h`, `7d`, `2w` (at most 400 days). */
                        window: string;
                    } | {
                        /** @description Schedule: closes daily at this local time in the recipient’s time zone. */
                        at?: string;
                        /** @description Schedule: a cron expression (5 fields, or 6 with seconds first), read in the recipient’s time zone; the digest closes at its next run. */
                        cron?: string;
                        /** @description With `at`: only on these local days of the week; every day when absent. */
                        days?: ("sun" | "mon" | "tue" | "wed" | "thu" | "fri" | "sat")[];
                        /** @description A LiquidJS condition over the data and `recipient` (`plan == "pro"`); false skips the step. */
                        if?: string;
                        /** @description Events with the same rendered key share a digest. */
                        key?: string;
                        maxItems?: number;
                        /** @enum {string} */
                        type: "digest";
                        /** @description Look-back: the first event opens it, it closes this long after. */
                        window?: string;
                    } | {
                        /** @description A duration: `30s`, `15m`, `2h`, `7d`, `2w` (at most 400 days). */
                        after: string;
                        channels: ("email" | "sms" | "push" | "web_push" | "in_app" | "webhook")[];
                        /** @description A LiquidJS condition over the data and `recipient` (`plan == "pro"`); false skips the step. */
                        if?: string;
                        /** @enum {string} */
                        type: "escalate";
                    })[] | null;
                    /** @default null */
                    tracking?: {
                        clicks: boolean;
                        opens: boolean;
                    } | null;
                    /** @default null */
                    ttlSeconds?: number | null;
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        category: string | null;
                        collapseKey: string | null;
                        defaultChannels: string[];
                        description: string;
                        key: string;
                        kind: string;
                        steps?: ({
                            /** @description A duration: `30s`, `15m`, `2h`, `7d`, `2w` (at most 400 days). */
                            duration?: string;
                            /** @description A LiquidJS condition over the data and `recipient` (`plan == "pro"`); false skips the step. */
                            if?: string;
                            /** @enum {string} */
                            type: "delay";
                            /** @description A template rendering to an ISO 8601 time (`{{ remind_at }}`); else `duration` applies. */
                            until?: string;
                        } | {
                            /** @description A LiquidJS condition over the data and `recipient` (`plan == "pro"`); false skips the step. */
                            if?: string;
                            /** @description Count per rendered key instead of per recipient. */
                            key?: string;
                            limit: number;
                            /** @enum {string} */
                            type: "throttle";
                            /** @description A duration: `30s`, `15m`, `2h`, `7d`, `2w` (at most 400 days). */
                            window: string;
                        } | {
                            /** @description Schedule: closes daily at this local time in the recipient’s time zone. */
                            at?: string;
                            /** @description Schedule: a cron expression (5 fields, or 6 with seconds first), read in the recipient’s time zone; the digest closes at its next run. */
                            cron?: string;
                            /** @description With `at`: only on these local days of the week; every day when absent. */
                            days?: ("sun" | "mon" | "tue" | "wed" | "thu" | "fri" | "sat")[];
                            /** @description A LiquidJS condition over the data and `recipient` (`plan == "pro"`); false skips the step. */
                            if?: string;
                            /** @description Events with the same rendered key share a digest. */
                            key?: string;
                            maxItems?: number;
                            /** @enum {string} */
                            type: "digest";
                            /** @description Look-back: the first event opens it, it closes this long after. */
                            window?: string;
                        } | {
                            /** @description A duration: `30s`, `15m`, `2h`, `7d`, `2w` (at most 400 days). */
                            after: string;
                            channels: ("email" | "sms" | "push" | "web_push" | "in_app" | "webhook")[];
                            /** @description A LiquidJS condition over the data and `recipient` (`plan == "pro"`); false skips the step. */
                            if?: string;
                            /** @enum {string} */
                            type: "escalate";
                        })[] | null;
                        tracking?: {
                            clicks: boolean;
                            opens: boolean;
                        } | null;
                        ttlSeconds: number | null;
                    };
                };
            };
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        category: string | null;
                        collapseKey: string | null;
                        defaultChannels: string[];
                        description: string;
                        key: string;
                        kind: string;
                        steps?: ({
                            /** @description A duration: `30s`, `15m`, `2h`, `7d`, `2w` (at most 400 days). */
                            duration?: string;
                            /** @description A LiquidJS condition over the data and `recipient` (`plan == "pro"`); false skips the step. */
                            if?: string;
                            /** @enum {string} */
                            type: "delay";
                            /** @description A template rendering to an ISO 8601 time (`{{ remind_at }}`); else `duration` applies. */
                            until?: string;
                        } | {
                            /** @description A LiquidJS condition over the data and `recipient` (`plan == "pro"`); false skips the step. */
                            if?: string;
                            /** @description Count per rendered key instead of per recipient. */
                            key?: string;
                            limit: number;
                            /** @enum {string} */
                            type: "throttle";
                            /** @description A duration: `30s`, `15m`, `2h`, `7d`, `2w` (at most 400 days). */
                            window: string;
                        } | {
                            /** @description Schedule: closes daily at this local time in the recipient’s time zone. */
                            at?: string;
                            /** @description Schedule: a cron expression (5 fields, or 6 with seconds first), read in the recipient’s time zone; the digest closes at its next run. */
                            cron?: string;
                            /** @description With `at`: only on these local days of the week; every day when absent. */
                            days?: ("sun" | "mon" | "tue" | "wed" | "thu" | "fri" | "sat")[];
                            /** @description A LiquidJS condition over the data and `recipient` (`plan == "pro"`); false skips the step. */
                            if?: string;
                            /** @description Events with the same rendered key share a digest. */
                            key?: string;
                            maxItems?: number;
                            /** @enum {string} */
                            type: "digest";
                            /** @description Look-back: the first event opens it, it closes this long after. */
                            window?: string;
                        } | {
                            /** @description A duration: `30s`, `15m`, `2h`, `7d`, `2w` (at most 400 days). */
                            after: string;
                            channels: ("email" | "sms" | "push" | "web_push" | "in_app" | "webhook")[];
                            /** @description A LiquidJS condition over the data and `recipient` (`plan == "pro"`); false skips the step. */
                            if?: string;
                            /** @enum {string} */
                            type: "escalate";
                        })[] | null;
                        tracking?: {
                            clicks: boolean;
                            opens: boolean;
                        } | null;
                        ttlSeconds: number | null;
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getNotificationTypesByKeyTemplates: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                key: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            channel: string;
                            content: {
                                [key: string]: unknown;
                            };
                            /** Format: date-time */
                            createdAt: string;
                            locale: string;
                            typeKey: string;
                            version: number;
                        }[];
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    putNotificationTypesByKeyTemplatesByChannelByLocale: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                channel: "email" | "sms" | "push" | "web_push" | "in_app" | "webhook";
                key: string;
                locale: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        channel: string;
                        content: {
                            [key: string]: unknown;
                        };
                        /** Format: date-time */
                        createdAt: string;
                        locale: string;
                        typeKey: string;
                        version: number;
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getNotificationTypesByKeyTemplatesByChannelByLocaleVersions: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                channel: "email" | "sms" | "push" | "web_push" | "in_app" | "webhook";
                key: string;
                locale: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            channel: string;
                            content: {
                                [key: string]: unknown;
                            };
                            /** Format: date-time */
                            createdAt: string;
                            locale: string;
                            typeKey: string;
                            version: number;
                        }[];
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postNotificationTypesByKeyTemplatesByChannelPreview: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                channel: "email" | "sms" | "push" | "web_push" | "in_app" | "webhook";
                key: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    content?: {
                        [key: string]: unknown;
                    };
                    data?: {
                        [key: string]: unknown;
                    };
                    locale?: string;
                    recipient?: {
                        attributes?: {
                            [key: string]: unknown;
                        };
                        /** Format: email */
                        email?: string | null;
                        id?: string;
                        /** Format: bcp47 */
                        locale?: string | null;
                        /** Format: e164 */
                        phone?: string | null;
                        /** Format: iana-timezone */
                        timezone?: string | null;
                    };
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        locale: string | null;
                        rendered: {
                            [key: string]: unknown;
                        };
                        version: number | null;
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getNotifications: {
        parameters: {
            query?: {
                before?: string;
                cursor?: string;
                deliveryStatus?: "pending" | "queued" | "sending" | "sent" | "delivered" | "opened" | "clicked" | "bounced" | "deferred" | "suppressed" | "failed" | "dead" | "cancelled";
                limit?: string;
                recipient?: string;
                type?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            /** Format: date-time */
                            createdAt: string;
                            deliveries: {
                                channel: string;
                                id: string;
                                status: string;
                            }[];
                            id: string;
                            recipientId: string | null;
                            status: string;
                            type: string;
                        }[];
                        nextCursor: string | null;
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postNotifications: {
        parameters: {
            query?: never;
            header?: {
                "idempotency-key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    audience?: "all" | {
                        /** Format: uuid */
                        id: string;
                    };
                    channels?: ("email" | "sms" | "push" | "web_push" | "in_app" | "webhook")[];
                    content?: {
                        email?: {
                            html?: string;
                            subject: string;
                            text?: string;
                        };
                        in_app?: {
                            actionUrl?: string;
                            body: string;
                            collapseKey?: string;
                            data?: {
                                [key: string]: unknown;
                            };
                            title: string;
                            ttlSeconds?: number;
                        };
                        push?: {
                            body: string;
                            data?: {
                                [key: string]: string;
                            };
                            title: string;
                        };
                        sms?: {
                            text: string;
                        };
                        web_push?: {
                            body: string;
                            icon?: string;
                            title: string;
                            url?: string;
                        };
                        webhook?: {
                            payload: {
                                [key: string]: unknown;
                            };
                            url?: string;
                        };
                    };
                    data?: {
                        [key: string]: unknown;
                    };
                    idempotencyKey?: string;
                    /** @enum {unknown} */
                    priority?: "critical" | "high" | "normal" | "low";
                    recipient?: string | {
                        attributes?: {
                            [key: string]: unknown;
                        };
                        /** Format: email */
                        email?: string | null;
                        id: string;
                        /** Format: bcp47 */
                        locale?: string | null;
                        /** Format: e164 */
                        phone?: string | null;
                        /** Format: iana-timezone */
                        timezone?: string | null;
                    };
                    /** @description A broadcast to these recipients; for more, upload an audience. */
                    recipients?: string[];
                    /** @description This notification’s own parameters for its type’s workflow steps, by step type (every step of that type). The type must have such a step (422 otherwise). */
                    stepOverrides?: {
                        delay?: {
                            /** @description Replaces the delay (and its `until`). */
                            duration?: string;
                            /** @description A template rendering to an ISO 8601 time. */
                            until?: string;
                        };
                        digest?: {
                            /** @description Daily local time; replaces the type’s `window`. */
                            at?: string;
                            /** @description A schedule; replaces the type’s `window` and `at`. */
                            cron?: string;
                            /** @description With `at`: only on these local days of the week; every day when absent. */
                            days?: ("sun" | "mon" | "tue" | "wed" | "thu" | "fri" | "sat")[];
                            /** @description Events with the same rendered key share a digest. */
                            key?: string;
                            maxItems?: number;
                            /** @description Look-back window; replaces the type’s `at`. */
                            window?: string;
                        };
                        escalate?: {
                            /** @description A duration: `30s`, `15m`, `2h`, `7d`, `2w` (at most 400 days). */
                            after: string;
                        };
                        throttle?: {
                            key?: string;
                            limit?: number;
                            /** @description A duration: `30s`, `15m`, `2h`, `7d`, `2w` (at most 400 days). */
                            window?: string;
                        };
                    };
                    topic?: string;
                    type: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        /** @enum {string} */
                        status: "accepted";
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getNotificationsById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description A broadcast's audience, as accepted. */
                        audience?: unknown;
                        /** Format: date-time */
                        cancelledAt?: string | null;
                        channels: string[];
                        /** Format: date-time */
                        createdAt: string;
                        deliveries: {
                            address: string | null;
                            attempts: {
                                attempt: number;
                                durationMs: number;
                                errorCode: string | null;
                                errorMessage: string | null;
                                outcome: string;
                                provider: string | null;
                                providerMessageId: string | null;
                                /** Format: date-time */
                                startedAt: string;
                            }[];
                            channel: string;
                            /** Format: date-time */
                            createdAt: string;
                            id: string;
                            /** Format: date-time */
                            nextAttemptAt: string | null;
                            provider: string | null;
                            reason: string | null;
                            recipient: string;
                            /** Format: date-time */
                            sentAt: string | null;
                            /** @enum {unknown} */
                            status: "pending" | "queued" | "sending" | "sent" | "delivered" | "opened" | "clicked" | "bounced" | "deferred" | "suppressed" | "failed" | "dead" | "cancelled";
                            template?: {
                                locale: string;
                                version: number;
                            } | null;
                            /** Format: date-time */
                            updatedAt: string;
                        }[];
                        id: string;
                        idempotencyKey: string | null;
                        /** @description Once completed: delivered, partly_delivered (some failed or died), undelivered (none got through) or suppressed. Null before. */
                        outcome: ("delivered" | "partly_delivered" | "undelivered" | "suppressed") | null;
                        planError: string | null;
                        /** Format: date-time */
                        plannedAt: string | null;
                        priority: string;
                        progress?: {
                            /** @description Deliveries by status. */
                            deliveries: {
                                [key: string]: number;
                            };
                            /** @description Recipients planned so far. */
                            planned: number;
                            /** @description Recipients in the audience when planning began. */
                            total: number | null;
                        };
                        recipient: string | null;
                        /**
                         * @description accepted (not yet planned), waiting (a workflow delay holds it, or an escalation waits to check whether its last stage was seen; `steps` says until when), processing, completed, failed or cancelled.
                         * @enum {unknown}
                         */
                        status: "accepted" | "waiting" | "processing" | "completed" | "failed" | "cancelled";
                        /** @description The type's workflow steps' decisions in order: skipped, waiting (until), resumed, passed or throttled (place, limit, window), digested (digestId), digest_sent. */
                        steps?: {
                            /** Format: date-time */
                            at: string;
                            decision: string;
                            detail: {
                                [key: string]: unknown;
                            };
                            /** @description Index of the step in the type’s `steps`. */
                            step: number;
                            type: string;
                        }[];
                        type: string;
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postNotificationsByIdCancel: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        cancelledDeliveries: number;
                        id: string;
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postNotificationsBatch: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    notifications: {
                        audience?: "all" | {
                            /** Format: uuid */
                            id: string;
                        };
                        channels?: ("email" | "sms" | "push" | "web_push" | "in_app" | "webhook")[];
                        content?: {
                            email?: {
                                html?: string;
                                subject: string;
                                text?: string;
                            };
                            in_app?: {
                                actionUrl?: string;
                                body: string;
                                collapseKey?: string;
                                data?: {
                                    [key: string]: unknown;
                                };
                                title: string;
                                ttlSeconds?: number;
                            };
                            push?: {
                                body: string;
                                data?: {
                                    [key: string]: string;
                                };
                                title: string;
                            };
                            sms?: {
                                text: string;
                            };
                            web_push?: {
                                body: string;
                                icon?: string;
                                title: string;
                                url?: string;
                            };
                            webhook?: {
                                payload: {
                                    [key: string]: unknown;
                                };
                                url?: string;
                            };
                        };
                        data?: {
                            [key: string]: unknown;
                        };
                        idempotencyKey?: string;
                        /** @enum {unknown} */
                        priority?: "critical" | "high" | "normal" | "low";
                        recipient?: string | {
                            attributes?: {
                                [key: string]: unknown;
                            };
                            /** Format: email */
                            email?: string | null;
                            id: string;
                            /** Format: bcp47 */
                            locale?: string | null;
                            /** Format: e164 */
                            phone?: string | null;
                            /** Format: iana-timezone */
                            timezone?: string | null;
                        };
                        /** @description A broadcast to these recipients; for more, upload an audience. */
                        recipients?: string[];
                        /** @description This notification’s own parameters for its type’s workflow steps, by step type (every step of that type). The type must have such a step (422 otherwise). */
                        stepOverrides?: {
                            delay?: {
                                /** @description Replaces the delay (and its `until`). */
                                duration?: string;
                                /** @description A template rendering to an ISO 8601 time. */
                                until?: string;
                            };
                            digest?: {
                                /** @description Daily local time; replaces the type’s `window`. */
                                at?: string;
                                /** @description A schedule; replaces the type’s `window` and `at`. */
                                cron?: string;
                                /** @description With `at`: only on these local days of the week; every day when absent. */
                                days?: ("sun" | "mon" | "tue" | "wed" | "thu" | "fri" | "sat")[];
                                /** @description Events with the same rendered key share a digest. */
                                key?: string;
                                maxItems?: number;
                                /** @description Look-back window; replaces the type’s `at`. */
                                window?: string;
                            };
                            escalate?: {
                                /** @description A duration: `30s`, `15m`, `2h`, `7d`, `2w` (at most 400 days). */
                                after: string;
                            };
                            throttle?: {
                                key?: string;
                                limit?: number;
                                /** @description A duration: `30s`, `15m`, `2h`, `7d`, `2w` (at most 400 days). */
                                window?: string;
                            };
                        };
                        topic?: string;
                        type: string;
                    }[];
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        results: ({
                            id: string;
                            /** @description An idempotency key answered with the notification it made first. */
                            replayed: boolean;
                            /** @enum {number} */
                            status: 202;
                        } | {
                            error: {
                                code: string;
                                details?: unknown;
                                message: string;
                            };
                            /** @description The status the single endpoint would have answered. */
                            status: number;
                        })[];
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getOutbox: {
        parameters: {
            query?: {
                limit?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            channel: string;
                            content: {
                                [key: string]: unknown;
                            };
                            /** Format: date-time */
                            createdAt: string;
                            deliveryId: string;
                            id: string;
                            to: string;
                        }[];
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getPreferenceDefaults: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        categories?: {
                            [key: string]: {
                                [key: string]: boolean;
                            };
                        };
                        channels?: {
                            [key: string]: boolean;
                        };
                        frequencyLimit?: number | null;
                        quietHours?: {
                            end: string;
                            start: string;
                        } | null;
                        types?: {
                            [key: string]: {
                                [key: string]: boolean;
                            };
                        };
                        unsubscribed?: boolean;
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    putPreferenceDefaults: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    categories?: {
                        [key: string]: {
                            email?: boolean;
                            in_app?: boolean;
                            push?: boolean;
                            sms?: boolean;
                            web_push?: boolean;
                            webhook?: boolean;
                        };
                    };
                    channels?: {
                        email?: boolean;
                        in_app?: boolean;
                        push?: boolean;
                        sms?: boolean;
                        web_push?: boolean;
                        webhook?: boolean;
                    };
                    frequencyLimit?: number | null;
                    quietHours?: {
                        end: string;
                        start: string;
                    } | null;
                    types?: {
                        [key: string]: {
                            email?: boolean;
                            in_app?: boolean;
                            push?: boolean;
                            sms?: boolean;
                            web_push?: boolean;
                            webhook?: boolean;
                        };
                    };
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        categories?: {
                            [key: string]: {
                                [key: string]: boolean;
                            };
                        };
                        channels?: {
                            [key: string]: boolean;
                        };
                        frequencyLimit?: number | null;
                        quietHours?: {
                            end: string;
                            start: string;
                        } | null;
                        types?: {
                            [key: string]: {
                                [key: string]: boolean;
                            };
                        };
                        unsubscribed?: boolean;
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getProviders: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            channel: string;
                            errorRate: number | null;
                            failed: number | null;
                            name: string;
                            /** @enum {unknown} */
                            state: "unknown" | "closed" | "half_open" | "open";
                            succeeded: number | null;
                            workers: {
                                failed: number;
                                /** Format: date-time */
                                openedAt: string | null;
                                owner: string;
                                state: string;
                                succeeded: number;
                                /** Format: date-time */
                                updatedAt: string;
                            }[];
                        }[];
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    putProvidersByNameCredentials: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    credentials: {
                        [key: string]: unknown;
                    };
                    type: "sendgrid" | "ses" | "twilio" | "vonage" | "plivo" | "fcm" | "apns" | "webpush" | "slack";
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        createdAt: string;
                        provider: string;
                        type: string;
                        /** Format: date-time */
                        updatedAt: string;
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteProvidersByNameCredentials: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getProvidersCredentials: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            /** Format: date-time */
                            createdAt: string;
                            provider: string;
                            type: string;
                            /** Format: date-time */
                            updatedAt: string;
                        }[];
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getRecipientsByRecipientId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                recipientId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        attributes: {
                            [key: string]: unknown;
                        };
                        /** Format: date-time */
                        createdAt: string;
                        email: string | null;
                        id: string;
                        locale: string | null;
                        phone: string | null;
                        timezone: string | null;
                        /** Format: date-time */
                        updatedAt: string;
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    putRecipientsByRecipientId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                recipientId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    attributes?: {
                        [key: string]: unknown;
                    };
                    /** Format: email */
                    email?: string | null;
                    /** Format: bcp47 */
                    locale?: string | null;
                    /** Format: e164 */
                    phone?: string | null;
                    /** Format: iana-timezone */
                    timezone?: string | null;
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        attributes: {
                            [key: string]: unknown;
                        };
                        /** Format: date-time */
                        createdAt: string;
                        email: string | null;
                        id: string;
                        locale: string | null;
                        phone: string | null;
                        timezone: string | null;
                        /** Format: date-time */
                        updatedAt: string;
                    };
                };
            };
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        attributes: {
                            [key: string]: unknown;
                        };
                        /** Format: date-time */
                        createdAt: string;
                        email: string | null;
                        id: string;
                        locale: string | null;
                        phone: string | null;
                        timezone: string | null;
                        /** Format: date-time */
                        updatedAt: string;
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteRecipientsByRecipientId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                recipientId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        deliveriesAnonymised: number;
                        /** @enum {boolean} */
                        erased: true;
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getRecipientsByRecipientIdDevices: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                recipientId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            active: boolean;
                            id: string;
                            keys?: {
                                auth: string;
                                p256dh: string;
                            } | null;
                            platform: string;
                            token: string;
                        }[];
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postRecipientsByRecipientIdDevices: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                recipientId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @enum {unknown} */
                    platform: "ios" | "android" | "web";
                };
            };
        };
        responses: {
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        active: boolean;
                        id: string;
                        keys?: {
                            auth: string;
                            p256dh: string;
                        } | null;
                        platform: string;
                        token: string;
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteRecipientsByRecipientIdDevicesByDeviceId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                deviceId: string;
                recipientId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getRecipientsByRecipientIdPreferences: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                recipientId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        categories?: {
                            [key: string]: {
                                [key: string]: boolean;
                            };
                        };
                        channels?: {
                            [key: string]: boolean;
                        };
                        frequencyLimit?: number | null;
                        quietHours?: {
                            end: string;
                            start: string;
                        } | null;
                        types?: {
                            [key: string]: {
                                [key: string]: boolean;
                            };
                        };
                        unsubscribed?: boolean;
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    patchRecipientsByRecipientIdPreferences: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                recipientId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    categories?: {
                        [key: string]: {
                            email?: boolean;
                            in_app?: boolean;
                            push?: boolean;
                            sms?: boolean;
                            web_push?: boolean;
                            webhook?: boolean;
                        } | null;
                    };
                    channels?: {
                        email?: boolean;
                        in_app?: boolean;
                        push?: boolean;
                        sms?: boolean;
                        web_push?: boolean;
                        webhook?: boolean;
                    };
                    frequencyLimit?: number | null;
                    quietHours?: {
                        end: string;
                        start: string;
                    } | null;
                    types?: {
                        [key: string]: {
                            email?: boolean;
                            in_app?: boolean;
                            push?: boolean;
                            sms?: boolean;
                            web_push?: boolean;
                            webhook?: boolean;
                        } | null;
                    };
                    unsubscribed?: boolean;
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        categories?: {
                            [key: string]: {
                                [key: string]: boolean;
                            };
                        };
                        channels?: {
                            [key: string]: boolean;
                        };
                        frequencyLimit?: number | null;
                        quietHours?: {
                            end: string;
                            start: string;
                        } | null;
                        types?: {
                            [key: string]: {
                                [key: string]: boolean;
                            };
                        };
                        unsubscribed?: boolean;
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getService: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        createdAt: string;
                        id: string;
                        name: string;
                        notificationTypes: {
                            description: string;
                            key: string;
                        }[];
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getServiceLinkHosts: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        hosts: string[];
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    putServiceLinkHosts: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    hosts: string[];
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        hosts: string[];
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postServices: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name: string;
                    /** @default [] */
                    notificationTypes?: {
                        /** @default  */
                        description?: string;
                        key: string;
                    }[];
                };
            };
        };
        responses: {
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        createdAt: string;
                        id: string;
                        name: string;
                        notificationTypes: {
                            description: string;
                            key: string;
                        }[];
                    } & {
                        apiKey: string;
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getTopicsByKeySubscribers: {
        parameters: {
            query?: {
                cursor?: string;
                limit?: string;
            };
            header?: never;
            path: {
                key: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        nextCursor: string | null;
                        subscribers: {
                            id: string;
                            subscribedAt: string;
                        }[];
                        topic: string;
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    putTopicsByKeySubscribers: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                key: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    recipients: string[];
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        subscribed: number;
                        topic: string;
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteTopicsByKeySubscribers: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                key: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    recipients: string[];
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        removed: number;
                        topic: string;
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getTriggers: {
        parameters: {
            query?: {
                /** @description An event name such as `trade.executed`. */
                cursor?: string;
                limit?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        nextCursor: string | null;
                        triggers: {
                            /** Format: date-time */
                            createdAt: string;
                            event: string;
                            notifications: unknown[];
                            /** Format: date-time */
                            updatedAt: string;
                        }[];
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getTriggersByEvent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description An event name such as `trade.executed`. */
                event: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        createdAt: string;
                        event: string;
                        notifications: unknown[];
                        /** Format: date-time */
                        updatedAt: string;
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    putTriggersByEvent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description An event name such as `trade.executed`. */
                event: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    notifications: {
                        channels?: ("email" | "sms" | "push" | "web_push" | "in_app" | "webhook")[];
                        /** @description A LiquidJS expression over the payload. */
                        condition?: string;
                        /** @description Left out: the whole payload. Else each key takes the value at its pointer. */
                        data?: {
                            [key: string]: string;
                        };
                        /** @enum {unknown} */
                        priority?: "critical" | "high" | "normal" | "low";
                        to: {
                            /** @description A JSON Pointer into the payload, e.g. `/userId`. */
                            recipient: string;
                        } | {
                            recipients: string[] | string;
                        } | {
                            /** @description A topic key, or a template over the payload: `trader:{{ traderId }}`. */
                            topic: string;
                        };
                        type: string;
                    }[];
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        createdAt: string;
                        event: string;
                        notifications: unknown[];
                        /** Format: date-time */
                        updatedAt: string;
                    };
                };
            };
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        createdAt: string;
                        event: string;
                        notifications: unknown[];
                        /** Format: date-time */
                        updatedAt: string;
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteTriggersByEvent: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description An event name such as `trade.executed`. */
                event: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getWebhookEndpoints: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            /** Format: date-time */
                            createdAt: string;
                            description: string;
                            /** Format: date-time */
                            disabledAt: string | null;
                            disabledReason: string | null;
                            enabled: boolean;
                            events: string[];
                            /** Format: date-time */
                            failingSince: string | null;
                            id: string;
                            /** Format: date-time */
                            updatedAt: string;
                            url: string;
                        }[];
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postWebhookEndpoints: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    description?: string;
                    events: ("delivery.sent" | "delivery.delivered" | "delivery.opened" | "delivery.clicked" | "delivery.bounced" | "delivery.failed" | "delivery.dead" | "delivery.suppressed")[];
                    url: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        createdAt: string;
                        description: string;
                        /** Format: date-time */
                        disabledAt: string | null;
                        disabledReason: string | null;
                        enabled: boolean;
                        events: string[];
                        /** Format: date-time */
                        failingSince: string | null;
                        id: string;
                        secret: string;
                        /** Format: date-time */
                        updatedAt: string;
                        url: string;
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getWebhookEndpointsById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        createdAt: string;
                        description: string;
                        /** Format: date-time */
                        disabledAt: string | null;
                        disabledReason: string | null;
                        enabled: boolean;
                        events: string[];
                        /** Format: date-time */
                        failingSince: string | null;
                        id: string;
                        /** Format: date-time */
                        updatedAt: string;
                        url: string;
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteWebhookEndpointsById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    patchWebhookEndpointsById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    description?: string;
                    enabled?: boolean;
                    events?: ("delivery.sent" | "delivery.delivered" | "delivery.opened" | "delivery.clicked" | "delivery.bounced" | "delivery.failed" | "delivery.dead" | "delivery.suppressed")[];
                    url?: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        createdAt: string;
                        description: string;
                        /** Format: date-time */
                        disabledAt: string | null;
                        disabledReason: string | null;
                        enabled: boolean;
                        events: string[];
                        /** Format: date-time */
                        failingSince: string | null;
                        id: string;
                        /** Format: date-time */
                        updatedAt: string;
                        url: string;
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            408: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getWebhookEndpointsByIdAttempts: {
        parameters: {
            query?: {
                before?: string;
                limit?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            attempt: number;
                            durationMs: number;
                            error: string | null;
                            eventId: string;
                            eventType: string;
                            id: string;
                            messageStatus: string;
                            /** Format: date-time */
                            startedAt: string;
                            statusCode: number | null;
                        }[];
                        nextBefore: string | null;
                    };
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            414: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Every error answer has this shape; `code` is stable. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
}
