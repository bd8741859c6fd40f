"""What follows a share: its invitation accepted in the reviews account, and its announcement."""
