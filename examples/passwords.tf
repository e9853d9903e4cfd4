# The passwords that the examples and guides send with password_wo. Ephemeral variables never
# reach the plan or the state; declare them once in the configuration that holds the jobs.
variable "source_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "destination_password" {
  type      = string
  sensitive = true
  ephemeral = true
}
