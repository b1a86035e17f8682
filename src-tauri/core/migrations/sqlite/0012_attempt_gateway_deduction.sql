-- What the gateway itself took off the price before charging (the partner's coupon,
-- `deduct_price`), as it reported it: the payer was charged amount_minor less this.
ALTER TABLE attempts ADD COLUMN gateway_deduction_minor INTEGER;
