-- Until when (unix ms) the customer can still pay with the code a gateway gave (益安's charge
-- time_expire): a person cannot mark the attempt "not paid" before then.
ALTER TABLE attempts ADD COLUMN payable_until INTEGER;
