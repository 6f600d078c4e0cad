/**
 * A provider that answers "this token is unregistered" or "this subscription is gone" is talking about
 * the device, not the message: deactivate it so no later notification tries it again.
 */
import { addressIsGone } from '../domain/address-errors.ts';
import type { ClaimedDelivery } from '../domain/types.ts';
import type { DeviceStore } from '../ports/preferences-store.ts';
import type { Settlement } from '../ports/store.ts';

export async function deactivateGoneAddress(
  devices: Pick<DeviceStore, 'deactivate'>,
  delivery: Pick<ClaimedDelivery, 'serviceId' | 'target'>,
  settlement: Settlement,
): Promise<boolean> {
  if (settlement.status !== 'failed' || !addressIsGone(settlement.reason) || delivery.target === '')
    return false;
  return devices.deactivate(delivery.serviceId, delivery.target);
}
