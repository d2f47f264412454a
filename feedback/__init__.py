"""Feedback from the frontline: what an agent raises on a page they read (unclear, wrong,
missing, a customer's voice, an idea), owned by whoever answers for the page, answered
in the admin's review queue, and credited to the agent and their vendor when a
revision or a notice resolves it."""
