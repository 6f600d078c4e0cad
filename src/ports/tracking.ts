/** Opens and clicks: recording them, and the hosts a service's click redirects may lead to. */
/** Records an open or a click as a delivery event, moving the delivery on when the state table allows. */
export interface TrackingStore {
  record(deliveryId: string, kind: 'open' | 'click', url: string | null): Promise<void>;
}

/** The hosts each service registers for click tracking. */
export interface LinkHostStore {
  get(serviceId: string): Promise<string[]>;
  set(serviceId: string, hosts: string[]): Promise<string[]>;
  /** The registered hosts of the service that sent a delivery; none when the delivery is gone. */
  forDelivery(deliveryId: string): Promise<string[]>;
}
