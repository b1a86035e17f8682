-- The subscriptions a payment replaces, each with its refund (TOP's refund_subscribe_list), as
-- JSON `[{"subscribe_id", "refund_amount_minor"}]`: part of the attempt, so every resend
-- carries the same list.
ALTER TABLE attempts ADD COLUMN subscription_refunds TEXT NOT NULL DEFAULT '[]'
    CHECK (subscription_refunds::jsonb IS NOT NULL);
